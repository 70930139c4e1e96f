import Foundation
import Histogram
import Logging
import Messaging
import ServiceKit

// End-to-end throughput and latency of the order path through the five running services
// (make flow-bench starts them from a release build). Phase 1: order.place → logistics.stock.reserved
// (sales, risk, sales, logistics). Phase 2: shipment.dispatch + shipment.deliver + payment.record for
// every order → sales.order.completed (logistics, finance, sales, customer service).
//   FLOW_ORDERS (default 2000)

let env = ProcessInfo.processInfo.environment
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let amqp = try AMQPConfig.parse(env["AMQP_URL"] ?? "amqp://bizops:bizops-dev@127.0.0.1:5672/bizops")
let orders = Int(env["FLOW_ORDERS"] ?? "") ?? 2_000
let run = String(UUID().uuidString.prefix(6)).lowercased()
let customer = "FB-\(run)", sku = "FB-SKU-\(run)"
var logger = Logger(label: "flow-bench")
logger.logLevel = .error

// Signed in with the local issuer's key (.local/auth, as deploy/local/services.sh starts the
// services) as someone who directs the four departments whose master data it sets.
let benchPerson = DirectoryPerson(id: "flow-bench", name: "Flow bench", department: "operations",
                                  roles: ["sales:director", "logistics:director", "finance:director", "risk:director"])
let token = try await LocalIssuer.prepare(URL(fileURLWithPath: env["AUTH_DIR"] ?? ".local/auth")).token(for: benchPerson, lifetime: 3600)

/// Master data through the services' own APIs.
func call(_ port: Int, _ method: String, _ path: String, _ body: String) throws {
    let curl = Process()
    curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    curl.arguments = ["-fsS", "-o", "/dev/null", "-X", method, "-H", "content-type: application/json", "--data-binary", body,
                      "-K", "-", "http://127.0.0.1:\(port)\(path)"]
    let input = Pipe()
    curl.standardInput = input
    try curl.run()
    input.fileHandleForWriting.write(Data("header = \"Authorization: Bearer \(token)\"\n".utf8))
    try input.fileHandleForWriting.close()
    curl.waitUntilExit()
    guard curl.terminationStatus == 0 else { throw NSError(domain: "flow-bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(method) \(path) failed"]) }
}
try call(8081, "PUT", "/customers/\(customer)", #"{"name":"Flow bench","currency":"CNY"}"#)
try call(8085, "PUT", "/customers/\(customer)/credit", #"{"creditLimit":9000000000000,"currency":"CNY","rating":"A"}"#)
try call(8084, "PUT", "/customers/\(customer)/terms", #"{"kind":"net","netDays":30}"#)
try call(8081, "PUT", "/products/\(sku)", #"{"name":"Flow bench item","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":100}]}"#)
try call(8082, "POST", "/stock/receipts", #"{"warehouse":"SH-01","sku":"\#(sku)","quantity":10000000,"reference":"FB-\#(run)"}"#)

let observer = "flow-bench.\(run)"
let client = AMQPClient(config: amqp)
try await client.declareDurableQueue(observer, bindings: [.event("logistics.stock.reserved"), .event("sales.order.completed")])
try await client.startConsuming(observer, prefetch: 1000)
let publisher = ConfirmedPublisher(config: amqp, name: "flow-bench", logger: logger)

func command(_ key: String, _ ref: String, _ json: String) -> OutgoingMessage {
    OutgoingMessage(exchange: Topology.ingress, routingKey: key,
                    properties: MessageProperties(messageId: UUID().uuidString.lowercased(), appId: "flow-bench", userId: amqp.user, timestamp: Date(),
                                                  correlationId: ref), body: Data(json.utf8))
}

/// Publishes in batches of 100 with confirms, noting when each order's message went out.
func publish(_ messages: [(String, OutgoingMessage)], sentAt earlier: [String: ContinuousClock.Instant] = [:]) async throws
    -> [String: ContinuousClock.Instant] {
    var sentAt = earlier
    for start in stride(from: 0, to: messages.count, by: 100) {
        let slice = Array(messages[start..<min(start + 100, messages.count)])
        let now = ContinuousClock.now
        for (ref, _) in slice { sentAt[ref] = sentAt[ref] ?? now }
        try await publisher.publishAll(slice.map(\.1))
    }
    return sentAt
}

/// Waits for one event of `type` per order; returns the latency histogram (µs) and elapsed seconds.
func waitFor(_ type: String, from sentAt: [String: ContinuousClock.Instant], started: ContinuousClock.Instant)
    async throws -> (Histogram<UInt64>, Double) {
    var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    var pending = Set(sentAt.keys)
    let deadline = ContinuousClock.now + .seconds(600)
    while !pending.isEmpty && ContinuousClock.now < deadline {
        let batch = try await client.receive(max: 1000, wait: 1)
        try await client.ack(batch)
        let now = ContinuousClock.now
        for delivery in batch where delivery.properties.type == type {
            guard let ref = delivery.properties.correlationId, pending.remove(ref) != nil, let sent = sentAt[ref] else { continue }
            let d = (now - sent).components
            histogram.record(UInt64(d.seconds) * 1_000_000 + UInt64(d.attoseconds / 1_000_000_000_000))
        }
    }
    if !pending.isEmpty { say("warning: \(pending.count) orders never reached \(type)") }
    let e = (ContinuousClock.now - started).components
    return (histogram, Double(e.seconds) + Double(e.attoseconds) / 1e18)
}

func report(_ name: String, _ histogram: Histogram<UInt64>, _ seconds: Double) {
    func ms(_ q: Double) -> String { String(format: "%.0f", Double(histogram.valueAtPercentile(q)) / 1000) }
    say(name.padding(toLength: 46, withPad: " ", startingAt: 0)
        + String(format: " %7.0f orders/s   latency ms p50 %@ p90 %@ p99 %@ max %@", Double(histogram.totalCount) / seconds,
                 ms(50), ms(90), ms(99), String(format: "%.0f", Double(histogram.max) / 1000)))
}

let refs = (1...orders).map { "FB-\(run)-\($0)" }
say("flow-bench: \(orders) orders of 1 line each, customer \(customer)")
let phase1 = ContinuousClock.now
let placedAt = try await publish(refs.map { ref in (ref, command("order.place", ref, """
    {"orderRef":"\(ref)","customerCode":"\(customer)","lines":[{"sku":"\(sku)","quantity":1}],
     "deliveryAddress":{"line1":"1 Bench Road","city":"Shanghai","postalCode":"200000","country":"CN"},"requestedDeliveryDate":"2026-12-31"}
    """)) })
let (reserved, seconds1) = try await waitFor("logistics.stock.reserved.v1", from: placedAt, started: phase1)
report("order.place → logistics.stock.reserved", reserved, seconds1)

// Finance clears each order for dispatch alongside the reservation; let the last clearances land.
try await Task.sleep(for: .seconds(2))
let phase2 = ContinuousClock.now
var rest: [(String, OutgoingMessage)] = []
for ref in refs {
    rest.append((ref, command("shipment.dispatch", ref, #"{"orderRef":"\#(ref)"}"#)))
    rest.append((ref, command("shipment.deliver", ref, #"{"orderRef":"\#(ref)","signedBy":"Bench","signedAt":"2026-12-01T10:00:00Z"}"#)))
}
let shippedAt = try await publish(rest)
// Payments go once the invoices exist (finance invoices on delivery); the bank feed names the order.
try await Task.sleep(for: .seconds(2))
let paidAt = try await publish(refs.map { ref in (ref, command("payment.record", ref, """
    {"amount":100,"currency":"CNY","orderRef":"\(ref)","bankReference":"FB-\(ref)","valueDate":"2026-12-02"}
    """)) }, sentAt: shippedAt)
let (completed, seconds2) = try await waitFor("sales.order.completed.v1", from: paidAt, started: phase2)
report("dispatch + deliver + pay → sales.order.completed", completed, seconds2)
try await client.deleteQueue(observer)
await client.close()
await publisher.close()
