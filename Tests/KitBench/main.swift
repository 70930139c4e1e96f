import CLibPQ
import CRabbitMQ
import Contracts
import Foundation
import Histogram
import Logging
import Messaging
import Storage

// Throughput and latency of the kit beside the same work done with bare rabbitmq-c and
// libpq loops, in one run, on the local servers. Build with -c release; the load driver runs it
// for the same run's ceilings (make bench).
//   BENCH_MESSAGES (default 20000), BENCH_BATCH (default 100), BENCH_JSON (a file for the figures)

let env = ProcessInfo.processInfo.environment

/// Unbuffered, so a long run shows its progress.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let amqpURL = env["AMQP_URL"] ?? "amqp://bizops:bizops-dev@127.0.0.1:5672/bizops"
let databaseURL = env["DATABASE_URL"] ?? "postgresql://bizops:bizops-dev@127.0.0.1:5432/bizops"
let total = Int(env["BENCH_MESSAGES"] ?? "") ?? 20_000
let batch = Int(env["BENCH_BATCH"] ?? "") ?? 100
let amqp = try AMQPConfig.parse(amqpURL)
let logger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}()

struct BenchMessage: MessageContract { static let messageType = "bench.message.v1"; let n: Int64 }

func report(_ name: String, count: Int, seconds: Double, batchLatency: Histogram<UInt64>) {
    func ms(_ q: Double) -> String { String(format: "%.2f", Double(batchLatency.valueAtPercentile(q)) / 1000) }
    say(name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %9.0f msg/s   batch latency ms p50 %@ p90 %@ p99 %@ max %@",
                 Double(count) / seconds, ms(50), ms(90), ms(99),
                 String(format: "%.2f", Double(batchLatency.max) / 1000)))
}

func micros(since start: ContinuousClock.Instant) -> UInt64 {
    let d = (ContinuousClock.now - start).components
    return UInt64(d.seconds) * 1_000_000 + UInt64(d.attoseconds / 1_000_000_000_000)
}

func newHistogram() -> Histogram<UInt64> { Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three) }

func message(_ n: Int, key: String) -> OutgoingMessage {
    OutgoingMessage(exchange: Topology.ingress, routingKey: key,
                    properties: MessageProperties(messageId: UUID().uuidString.lowercased(), type: BenchMessage.messageType,
                                                  appId: "bench", userId: amqp.user, timestamp: Date(), correlationId: "bench-\(n)"),
                    body: Data(#"{"n":\#(n)}"#.utf8))
}

// MARK: bare rabbitmq-c

final class BareAMQP {
    let state: amqp_connection_state_t
    init() {
        state = amqp_new_connection()
        let socket = amqp_tcp_socket_new(state)
        precondition(amqp_socket_open(socket, amqp.host, Int32(amqp.port)) == 0, "bare: cannot connect")
        precondition(bz_amqp_login_plain(state, amqp.vhost, 0, 131_072, 30, amqp.user, amqp.password).reply_type == AMQP_RESPONSE_NORMAL)
        amqp_channel_open(state, 1)
        precondition(amqp_get_rpc_reply(state).reply_type == AMQP_RESPONSE_NORMAL)
    }
    deinit { _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS); amqp_destroy_connection(state) }
}

func barePublish(key: String, count: Int) -> (Double, Histogram<UInt64>) {
    let conn = BareAMQP()
    amqp_confirm_select(conn.state, 1)
    precondition(amqp_get_rpc_reply(conn.state).reply_type == AMQP_RESPONSE_NORMAL)
    var histogram = newHistogram()
    var tag: UInt64 = 0
    let body = Array(#"{"n":1}"#.utf8)
    let start = ContinuousClock.now
    var sent = 0
    while sent < count {
        let batchStart = ContinuousClock.now
        let n = min(batch, count - sent)
        for _ in 0..<n {
            var props = amqp_basic_properties_t()
            props._flags = BZ_FLAG_DELIVERY_MODE | BZ_FLAG_CONTENT_TYPE | BZ_FLAG_MESSAGE_ID
            props.delivery_mode = 2
            let id = UUID().uuidString
            id.withCString { idPtr in
                "application/json".withCString { ct in
                    props.content_type = amqp_cstring_bytes(ct)
                    props.message_id = amqp_cstring_bytes(idPtr)
                    body.withUnsafeBytes { raw in
                        let bytes = amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress))
                        let status = Topology.ingress.withCString { exchange in
                            key.withCString { routingKey in
                                amqp_basic_publish(conn.state, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routingKey),
                                                   1, 0, &props, bytes)
                            }
                        }
                        precondition(status == 0)
                    }
                }
            }
            tag += 1
        }
        var confirmed: UInt64 = tag - UInt64(n)
        while confirmed < tag {
            var frame = amqp_frame_t()
            precondition(amqp_simple_wait_frame(conn.state, &frame) == 0)
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            precondition(frame.payload.method.id == BZ_BASIC_ACK, "bare: unexpected method 0x\(String(frame.payload.method.id, radix: 16))")
            let ack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            confirmed = max(confirmed, ack.delivery_tag)
        }
        amqp_maybe_release_buffers(conn.state)
        sent += n
        histogram.record(micros(since: batchStart))
    }
    return ((ContinuousClock.now - start).totalSeconds, histogram)
}

/// Consume a batch, one transaction with one insert per message, commit, ack: by hand.
func bareConsume(queue: String, count: Int, schema: String) -> (Double, Histogram<UInt64>) {
    let conn = BareAMQP()
    amqp_basic_qos(conn.state, 1, 0, 200, 0)
    queue.withCString { name in
        _ = amqp_basic_consume(conn.state, 1, amqp_cstring_bytes(name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
    }
    precondition(amqp_get_rpc_reply(conn.state).reply_type == AMQP_RESPONSE_NORMAL)
    let pg = PQconnectdb(databaseURL)
    precondition(PQstatus(pg) == CONNECTION_OK)
    PQclear(PQexec(pg, "SET search_path TO \(schema)"))
    var histogram = newHistogram()
    var done = 0
    var start: ContinuousClock.Instant?
    while done < count {
        var envelopes: [(UInt64, String)] = []
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        while envelopes.count < batch {
            var envelope = amqp_envelope_t()
            let reply = amqp_consume_message(conn.state, &envelope, &timeout, 0)
            guard reply.reply_type == AMQP_RESPONSE_NORMAL else { break }
            envelopes.append((envelope.delivery_tag, envelope.message.properties.message_id.string))
            amqp_destroy_envelope(&envelope)
            timeout = timeval(tv_sec: 0, tv_usec: 0)
        }
        if envelopes.isEmpty { continue }
        if start == nil { start = ContinuousClock.now }
        let batchStart = ContinuousClock.now
        PQclear(PQexec(pg, "BEGIN"))
        for (_, id) in envelopes {
            let result = id.withCString { idPtr -> OpaquePointer? in
                var values: [UnsafePointer<CChar>?] = [idPtr]
                return PQexecParams(pg, "INSERT INTO bare_effects (message_id) VALUES ($1::uuid)", 1, nil, &values, nil, nil, 0)
            }
            precondition(PQresultStatus(result) == PGRES_COMMAND_OK, String(cString: PQerrorMessage(pg)))
            PQclear(result)
        }
        PQclear(PQexec(pg, "COMMIT"))
        precondition(amqp_basic_ack(conn.state, 1, envelopes.last!.0, 1) == 0)
        amqp_maybe_release_buffers(conn.state)
        done += envelopes.count
        histogram.record(micros(since: batchStart))
    }
    PQfinish(pg)
    return ((ContinuousClock.now - start!).totalSeconds, histogram)
}

/// One row per transaction, committed one by one (autocommit): the database's commit ceiling.
func bareCommits(count: Int, schema: String) -> Double {
    let pg = PQconnectdb(databaseURL)
    precondition(PQstatus(pg) == CONNECTION_OK)
    PQclear(PQexec(pg, "SET search_path TO \(schema)"))
    let start = ContinuousClock.now
    for _ in 0..<count {
        let result = UUID().uuidString.withCString { idPtr -> OpaquePointer? in
            var values: [UnsafePointer<CChar>?] = [idPtr]
            return PQexecParams(pg, "INSERT INTO commit_effects (message_id) VALUES ($1::uuid)", 1, nil, &values, nil, nil, 0)
        }
        precondition(PQresultStatus(result) == PGRES_COMMAND_OK, String(cString: PQerrorMessage(pg)))
        PQclear(result)
    }
    let seconds = (ContinuousClock.now - start).totalSeconds
    PQfinish(pg)
    return seconds
}

extension amqp_bytes_t {
    var string: String { String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self) }
}

// MARK: the kit

func kitPublish(key: String, count: Int) async throws -> (Double, Histogram<UInt64>) {
    let publisher = ConfirmedPublisher(config: amqp, name: "bench", logger: logger)
    var histogram = newHistogram()
    let messages = (0..<count).map { message($0, key: key) }
    let start = ContinuousClock.now
    var index = 0
    while index < count {
        let slice = Array(messages[index..<min(index + batch, count)])
        let batchStart = ContinuousClock.now
        try await publisher.publishAll(slice)
        histogram.record(micros(since: batchStart))
        index += slice.count
    }
    let seconds = (ContinuousClock.now - start).totalSeconds
    await publisher.close()
    return (seconds, histogram)
}

final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

func kitConsume(service: String, count: Int) async throws -> (Double, Histogram<UInt64>) {
    let pool = PostgresPool(DatabaseConfig(url: databaseURL, schema: service, poolSize: 2), logger: logger)
    let tally = Tally()
    var handlers = HandlerRegistry()
    handlers.on(BenchMessage.self, boundTo: .command("\(service).run")) { _, work in
        try work.transaction.execute("INSERT INTO kit_effects (message_id) VALUES ($1::uuid)", [.text(work.cause.id)])
        tally.add()
    }
    let topology = Topology(service: service, bindings: handlers.bindings)
    let channel = ConsumerChannel(config: amqp, topology: topology, prefetch: 200, logger: logger)
    let publisher = ConfirmedPublisher(config: amqp, name: "bench-consumer", logger: logger)
    let processor = MessageProcessor(service: service, registry: handlers, pool: pool, logger: logger)
    let timings = HistogramBox()
    let consumer = MessageConsumer(channel: channel, processor: processor, publisher: publisher, batchSize: batch,
                                   hooks: ConsumerHooks(afterCommit: { _ in timings.mark() }), logger: logger)
    let started = ContinuousClock.now
    let task = Task { try await consumer.run() }
    while tally.value < count { try await Task.sleep(for: .milliseconds(2)) }
    let seconds = (ContinuousClock.now - started).totalSeconds
    task.cancel()
    _ = try? await task.value
    return (seconds, timings.histogram)
}

/// Batch-to-batch interval of the kit's consumer, as its per-batch latency.
final class HistogramBox: @unchecked Sendable {
    private let lock = NSLock()
    private var last: ContinuousClock.Instant?
    private(set) var histogram = newHistogram()
    func mark() {
        lock.lock(); defer { lock.unlock() }
        if let last { histogram.record(micros(since: last)) }
        last = ContinuousClock.now
    }
}

// MARK: run

let schema = "bench_\(UUID().uuidString.prefix(6).lowercased())"
let admin = PostgresPool(DatabaseConfig(url: databaseURL, schema: nil, poolSize: 1))
try await admin.execute("CREATE SCHEMA \(schema)")
let pool = PostgresPool(DatabaseConfig(url: databaseURL, schema: schema, poolSize: 1))
try await Migrator.apply(MessagingMigrations.all(schema: schema) + [
    Migration(100, "bench", "CREATE TABLE kit_effects (message_id uuid PRIMARY KEY); CREATE TABLE bare_effects (message_id uuid PRIMARY KEY); CREATE TABLE commit_effects (message_id uuid PRIMARY KEY);"),
], pool: pool, logger: logger)
let client = AMQPClient(config: amqp)
let bareQueue = "\(schema).bare"
try await client.declareSharedExchanges()
try await client.declareDurableQueue(bareQueue, bindings: [.command("\(schema).bare")])
try await client.declare(Topology(service: schema, bindings: [.command("\(schema).run")]))

say("bizops kit benchmark: \(total) persistent messages, batches of \(batch), RabbitMQ and PostgreSQL on this machine")
let (bp, bph) = barePublish(key: "\(schema).bare", count: total)
report("publish+confirm   bare rabbitmq-c", count: total, seconds: bp, batchLatency: bph)
let (kp, kph) = try await kitPublish(key: "\(schema).run", count: total)
report("publish+confirm   kit ConfirmedPublisher", count: total, seconds: kp, batchLatency: kph)
let (bc, bch) = bareConsume(queue: bareQueue, count: total, schema: schema)
report("consume+tx+ack    bare rabbitmq-c + libpq", count: total, seconds: bc, batchLatency: bch)
let (kc, kch) = try await kitConsume(service: schema, count: total)
report("consume+tx+ack    kit MessageConsumer", count: total, seconds: kc, batchLatency: kch)
say("(kit consume includes inbox de-duplication: one extra statement per batch)")
let commitCount = max(1, total / 4)
let cs = bareCommits(count: commitCount, schema: schema)
say("commit            bare libpq, one row each".padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %9.0f commits/s", Double(commitCount) / cs))
if let path = env["BENCH_JSON"] {
    let figures: [String: Double] = ["barePublish": Double(total) / bp, "kitPublish": Double(total) / kp, "bareConsume": Double(total) / bc,
                                     "kitConsume": Double(total) / kc, "commits": Double(commitCount) / cs]
    try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
}

for queue in [bareQueue, schema, "\(schema).retry.1", "\(schema).retry.2", "\(schema).retry.3", "\(schema).dead"] {
    try? await client.deleteQueue(queue)
}
try await admin.execute("DROP SCHEMA \(schema) CASCADE")
await client.close()
