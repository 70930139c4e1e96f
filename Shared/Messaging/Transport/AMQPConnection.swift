import CRabbitMQ
import Foundation
import Metrics
import Storage

/// One rabbitmq-c connection with one channel. Not thread-safe: it lives inside a
/// `Confined` and is only used on its worker's thread. Any error leaves it unusable;
/// the owner drops it and connects again.
final class AMQPConnection {
    private let state: amqp_connection_state_t
    let channel: amqp_channel_t = 1
    private(set) var broken = false
    /// Publishes so far in confirm mode: the broker numbers confirms the same way.
    private(set) var publishedCount: UInt64 = 0
    private var closed = false
    /// The broker's tag for this channel's consumer, while it consumes; and its prefetch.
    private var consumerTag: String?
    private var prefetch: UInt16 = 0

    /// Whether the broker has blocked this connection's publishes (a memory or disk alarm).
    private(set) var blocked = false
    /// Told of every change of `blocked`, on this connection's thread, as it happens.
    var onBlockedChange: ((Bool) -> Void)?

    /// The name the metrics give it (without host and pid), whether it counts as up, and since
    /// when the broker has blocked it.
    private let metricName: String
    private var up = false
    private var blockedSince: ContinuousClock.Instant?

    /// A plain TCP socket, or for `amqps://` a TLS one that verifies the broker's certificate
    /// against the given CA and its name against the host, with the client certificate if any.
    private static func socket(_ state: amqp_connection_state_t, _ config: AMQPConfig) throws -> OpaquePointer {
        guard let tls = config.tls else {
            guard let socket = amqp_tcp_socket_new(state) else { throw AMQPError(.connection, "cannot create socket") }
            return socket
        }
        guard let socket = amqp_ssl_socket_new(state) else { throw AMQPError(.connection, "cannot create TLS socket") }
        amqp_ssl_socket_set_verify_peer(socket, 1)
        amqp_ssl_socket_set_verify_hostname(socket, 1)
        let status = amqp_ssl_socket_set_cacert(socket, tls.caFile)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(.connection, "cannot load the CA \(tls.caFile): \(String(cString: amqp_error_string2(status)))")
        }
        if let cert = tls.certFile, let key = tls.keyFile {
            let status = amqp_ssl_socket_set_key(socket, cert, key)
            guard status == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(.connection, "cannot load the client certificate \(cert) / key \(key): \(String(cString: amqp_error_string2(status)))")
            }
        }
        return socket
    }

    /// `name` is what the management UI shows for the connection (service, role, replica).
    init(_ config: AMQPConfig, name: String) throws {
        guard let state = amqp_new_connection() else { throw AMQPError(.connection, "out of memory") }
        self.state = state
        metricName = name
        // A throwing init of a fully initialised class still runs deinit: every failure
        // path below goes through close(), which destroys the state exactly once.
        let socket: OpaquePointer
        do { socket = try Self.socket(state, config) } catch {
            broken = true
            close()
            throw error
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        let status = amqp_socket_open_noblock(socket, config.host, Int32(config.port), &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            broken = true
            close()
            let why = String(cString: amqp_error_string2(status))
            if config.tls != nil, (-0x0204 ... -0x0200).contains(status) {  // AMQP_STATUS_SSL_*
                throw AMQPError(.connection, "TLS with \(config.host):\(config.port) failed: \(why) (CA \(config.tls!.caFile))")
            }
            throw AMQPError(.connection, "cannot reach \(config.host):\(config.port): \(why)")
        }
        do {
            try check(bz_amqp_login_named(state, config.vhost, 0, 131_072, Int32(config.heartbeat), AMQPConnection.label(name),
                                          config.user, config.password), "login as \(config.user) to vhost \(config.vhost)")
            amqp_channel_open(state, channel)
            try check(amqp_get_rpc_reply(state), "open channel")
        } catch {
            broken = true
            close()
            throw error
        }
        up = true
        Counter(label: "bizops_amqp_connects_total", dimensions: [("connection", name)]).increment()
        Gauge(label: "bizops_amqp_connected", dimensions: [("connection", name)]).record(1)
        Gauge(label: "bizops_amqp_blocked", dimensions: [("connection", name)]).record(0)  // a new connection starts unblocked
    }

    /// The connection is down (an error or a close): the gauge says so, and a block ends with it.
    private func noteDown() {
        if blocked { noteBlocked(false) }
        guard up else { return }
        up = false
        Gauge(label: "bizops_amqp_connected", dimensions: [("connection", metricName)]).record(0)
    }

    /// The broker blocked or unblocked this connection: the gauge, and the time it lasted.
    private func noteBlocked(_ now: Bool) {
        blocked = now
        Gauge(label: "bizops_amqp_blocked", dimensions: [("connection", metricName)]).record(now ? 1 : 0)
        if now { if blockedSince == nil { blockedSince = .now }; return }
        guard let since = blockedSince else { return }
        blockedSince = nil
        FloatingPointCounter(label: "bizops_amqp_blocked_seconds_total", dimensions: [("connection", metricName)])
            .increment(by: (ContinuousClock.now - since).totalSeconds)
    }

    deinit { close() }

    /// `sales consumer (host pid 4242)`: one name per service, role and replica.
    static func label(_ name: String) -> String {
        "\(name) (\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier))"
    }

    /// Notes connection.blocked / connection.unblocked; true when the frame was one of them.
    private func noteFlowControl(_ id: amqp_method_number_t) -> Bool {
        guard id == BZ_CONNECTION_BLOCKED || id == BZ_CONNECTION_UNBLOCKED else { return false }
        noteBlocked(id == BZ_CONNECTION_BLOCKED)
        onBlockedChange?(blocked)
        return true
    }

    func close() {
        guard !closed else { return }
        closed = true
        noteDown()
        if !broken {
            _ = amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS)
            _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        }
        amqp_destroy_connection(state)
    }

    // MARK: - Errors

    private func fail(_ error: AMQPError) -> AMQPError {
        broken = true
        noteDown()
        return error
    }

    private func check(_ reply: amqp_rpc_reply_t, _ what: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw fail(AMQPError(.connection, "\(what): \(String(cString: amqp_error_string2(reply.library_error)))"))
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            throw fail(serverClose(reply.reply, what))
        default:
            throw fail(AMQPError(.connection, "\(what): no reply"))
        }
    }

    private func serverClose(_ method: amqp_method_t, _ what: String) -> AMQPError {
        switch method.id {
        case BZ_CONNECTION_CLOSE:
            let close = method.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return AMQPError(.connection, code: Int(close.reply_code), "\(what): connection closed by broker: \(close.reply_text.string)")
        case BZ_CHANNEL_CLOSE:
            let close = method.decoded!.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return AMQPError(.channelClosed, code: Int(close.reply_code), "\(what): channel closed by broker: \(close.reply_text.string)")
        default:
            return AMQPError(.connection, "\(what): unexpected method 0x\(String(method.id, radix: 16))")
        }
    }

    private func checkStatus(_ status: Int32, _ what: String) throws {
        if status != AMQP_STATUS_OK.rawValue {
            throw fail(AMQPError(.connection, "\(what): \(String(cString: amqp_error_string2(status)))"))
        }
    }

    // MARK: - Topology

    func declareExchange(_ name: String, type: String, arguments: [(String, HeaderValue)] = []) throws {
        let arena = CArena()
        amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), 0, 1, 0, 0, arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "declare exchange \(name)")
    }

    func declareQueue(_ name: String, arguments: [(String, HeaderValue)]) throws {
        let arena = CArena()
        amqp_queue_declare(state, channel, arena.bytes(name), 0, 1, 0, 0, arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "declare queue \(name)")
    }

    /// A server-named, exclusive, auto-delete queue (replies, tests); returns its name.
    func declareTemporaryQueue() throws -> String {
        let arena = CArena()
        guard let ok = amqp_queue_declare(state, channel, amqp_empty_bytes, 0, 0, 1, 1, arena.table([])) else {
            try check(amqp_get_rpc_reply(state), "declare temporary queue")
            throw fail(AMQPError(.connection, "declare temporary queue: no reply"))
        }
        return ok.pointee.queue.string
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String, arguments: [(String, HeaderValue)] = []) throws {
        let arena = CArena()
        amqp_queue_bind(state, channel, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey), arena.table(arguments))
        try check(amqp_get_rpc_reply(state), "bind \(queue) to \(exchange) with \(routingKey)")
    }

    /// Messages waiting in a queue (passive declare); throws when the queue does not exist.
    func messageCount(_ queue: String) throws -> Int {
        let arena = CArena()
        guard let ok = amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0, arena.table([])) else {
            try check(amqp_get_rpc_reply(state), "inspect queue \(queue)")
            throw fail(AMQPError(.connection, "inspect queue \(queue): no reply"))
        }
        return Int(ok.pointee.message_count)
    }

    func deleteQueue(_ queue: String) throws {
        let arena = CArena()
        amqp_queue_delete(state, channel, arena.bytes(queue), 0, 0)
        try check(amqp_get_rpc_reply(state), "delete \(queue)")
    }

    func purge(_ queue: String) throws {
        let arena = CArena()
        amqp_queue_purge(state, channel, arena.bytes(queue))
        try check(amqp_get_rpc_reply(state), "purge \(queue)")
    }

    // MARK: - Consuming

    func consume(queue: String, prefetch: UInt16) throws {
        amqp_basic_qos(state, channel, 0, prefetch, 0)
        try check(amqp_get_rpc_reply(state), "set prefetch")
        self.prefetch = prefetch
        let arena = CArena()
        let ok = amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, arena.table([]))
        try check(amqp_get_rpc_reply(state), "consume \(queue)")
        consumerTag = ok.map { $0.pointee.consumer_tag.string }
    }

    /// Stops the consumer: the broker sends no more, and what it delivered stays unacknowledged
    /// on this channel (to be acked or requeued). Deliveries that crossed the cancel wait in
    /// rabbitmq-c's frame queue for the next `receive`.
    func cancelConsumer() throws {
        guard let tag = consumerTag else { return }
        let arena = CArena()
        amqp_basic_cancel(state, channel, arena.bytes(tag))
        try check(amqp_get_rpc_reply(state), "cancel consumer")
        consumerTag = nil
    }

    /// The heartbeat agreed with the broker (seconds; 0: none), which may be below the one asked for.
    var heartbeat: Int { Int(amqp_get_heartbeat(state)) }

    /// One synchronous round trip on the channel (basic.qos, unchanged). The broker handles a
    /// channel's methods in order, so when it answers, every ack and nack sent before it was
    /// taken; a closed channel or connection throws here instead of passing silently.
    func roundTrip() throws {
        amqp_basic_qos(state, channel, 0, prefetch, 0)
        try check(amqp_get_rpc_reply(state), "confirm the broker took the acknowledgements")
    }

    /// Waits up to `wait` seconds for a first delivery, then takes whatever else has
    /// already arrived, up to `max`: one call makes one batch.
    func receive(max: Int, wait: Double, generation: Int) throws -> [Delivery] {
        amqp_maybe_release_buffers(state)
        var deliveries: [Delivery] = []
        var timeout = timeval(tv_sec: Int(wait), tv_usec: Int((wait - Double(Int(wait))) * 1_000_000))
        while deliveries.count < max {
            var envelope = amqp_envelope_t()
            let reply = amqp_consume_message(state, &envelope, &timeout, 0)
            if reply.reply_type == AMQP_RESPONSE_NORMAL {
                deliveries.append(Delivery(
                    deliveryTag: envelope.delivery_tag, generation: generation,
                    exchange: envelope.exchange.string, routingKey: envelope.routing_key.string,
                    redelivered: envelope.redelivered != 0,
                    properties: readProperties(envelope.message.properties), body: envelope.message.body.data))
                amqp_destroy_envelope(&envelope)
                timeout = timeval(tv_sec: 0, tv_usec: 0)
                continue
            }
            if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT.rawValue {
                break
            }
            if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                // A frame other than a delivery: a close, a consumer cancel, or noise.
                var frame = amqp_frame_t()
                try checkStatus(amqp_simple_wait_frame(state, &frame), "read frame")
                if frame.frame_type == UInt8(AMQP_FRAME_METHOD) {
                    let id = frame.payload.method.id
                    if id == BZ_CHANNEL_CLOSE || id == BZ_CONNECTION_CLOSE {
                        throw fail(serverClose(frame.payload.method, "consume"))
                    }
                    if id == BZ_BASIC_CANCEL {
                        throw fail(AMQPError(.channelClosed, "consume: broker cancelled the consumer (queue deleted?)"))
                    }
                    _ = noteFlowControl(id)
                }
                continue
            }
            try check(reply, "consume")
        }
        return deliveries
    }

    func ack(_ tag: UInt64, multiple: Bool) throws {
        try checkStatus(amqp_basic_ack(state, channel, tag, multiple ? 1 : 0), "ack")
    }

    func nack(_ tag: UInt64, requeue: Bool) throws {
        try checkStatus(amqp_basic_nack(state, channel, tag, 0, requeue ? 1 : 0), "nack")
    }

    // MARK: - Publishing

    func enableConfirms() throws {
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "enable publisher confirms")
    }

    /// Sends one message (`mandatory`, persistent unless told otherwise); returns its confirm tag.
    func publish(_ message: OutgoingMessage) throws -> UInt64 {
        let arena = CArena()
        var props = writeProperties(message.properties, arena)
        let status = amqp_basic_publish(state, channel, arena.bytes(message.exchange), arena.bytes(message.routingKey),
                                        1, 0, &props, arena.bytes(message.body))
        try checkStatus(status, "publish to \(message.exchange)/\(message.routingKey)")
        publishedCount += 1
        return publishedCount
    }

    /// Reads confirms until every tag in `tags` is acked or nacked. Returned messages
    /// (unroutable) are reported by message id. Throws on timeout or a closed channel.
    func awaitConfirms(_ tags: ClosedRange<UInt64>, timeout: Double) throws -> (nacked: Set<UInt64>, returned: [String: String]) {
        var pending = Set(tags)
        var nacked = Set<UInt64>()
        var returned: [String: String] = [:]
        let deadline = Date().addingTimeInterval(timeout)
        func settle(_ tag: UInt64, _ multiple: Bool, nack: Bool) {
            let settled = multiple ? pending.filter { $0 <= tag } : (pending.contains(tag) ? [tag] : [])
            pending.subtract(settled)
            if nack { nacked.formUnion(settled) }
        }
        while !pending.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw fail(AMQPError(.timeout, "no publisher confirm within \(timeout) s for \(pending.count) message(s)")) }
            var wait = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - Double(Int(remaining))) * 1_000_000))
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
            if status == AMQP_STATUS_TIMEOUT.rawValue { continue }
            try checkStatus(status, "wait for confirms")
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            let method = frame.payload.method
            switch method.id {
            case BZ_BASIC_ACK:
                let ack = method.decoded!.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                settle(ack.delivery_tag, ack.multiple != 0, nack: false)
            case BZ_BASIC_NACK:
                let nack = method.decoded!.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
                settle(nack.delivery_tag, nack.multiple != 0, nack: true)
            case BZ_BASIC_RETURN:
                let info = method.decoded!.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
                let reason = "\(info.reply_code) \(info.reply_text.string) (exchange \(info.exchange.string), routing key \(info.routing_key.string))"
                var message = amqp_message_t()
                try check(amqp_read_message(state, channel, &message, 0), "read returned message")
                let id = readProperties(message.properties).messageId ?? ""
                amqp_destroy_message(&message)
                returned[id] = reason
            case BZ_CHANNEL_CLOSE, BZ_CONNECTION_CLOSE:
                throw fail(serverClose(method, "publish"))
            default:
                _ = noteFlowControl(method.id) // blocked: confirms resume when the alarm clears
                continue
            }
        }
        return (nacked, returned)
    }

    /// Lets rabbitmq-c send and check heartbeats on an otherwise idle connection.
    func keepAlive() throws {
        var wait = timeval(tv_sec: 0, tv_usec: 0)
        var frame = amqp_frame_t()
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return }
        try checkStatus(status, "heartbeat")
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }
        let id = frame.payload.method.id
        if id == BZ_CHANNEL_CLOSE || id == BZ_CONNECTION_CLOSE { throw fail(serverClose(frame.payload.method, "idle")) }
        _ = noteFlowControl(id)
    }

    // MARK: - Properties

    private func readProperties(_ p: amqp_basic_properties_t) -> MessageProperties {
        let flags = p._flags
        func has(_ flag: amqp_flags_t) -> Bool { flags & flag != 0 }
        return MessageProperties(
            messageId: has(BZ_FLAG_MESSAGE_ID) ? p.message_id.string : nil,
            type: has(BZ_FLAG_TYPE) ? p.type.string : nil,
            appId: has(BZ_FLAG_APP_ID) ? p.app_id.string : nil,
            userId: has(BZ_FLAG_USER_ID) ? p.user_id.string : nil,
            timestamp: has(BZ_FLAG_TIMESTAMP) ? Date(timeIntervalSince1970: Double(p.timestamp)) : nil,
            correlationId: has(BZ_FLAG_CORRELATION_ID) ? p.correlation_id.string : nil,
            replyTo: has(BZ_FLAG_REPLY_TO) ? p.reply_to.string : nil,
            contentType: has(BZ_FLAG_CONTENT_TYPE) ? p.content_type.string : nil,
            persistent: has(BZ_FLAG_DELIVERY_MODE) && p.delivery_mode == 2,
            headers: has(BZ_FLAG_HEADERS) ? p.headers.headers : [:])
    }

    private func writeProperties(_ m: MessageProperties, _ arena: CArena) -> amqp_basic_properties_t {
        var p = amqp_basic_properties_t()
        var flags: amqp_flags_t = BZ_FLAG_DELIVERY_MODE
        p.delivery_mode = m.persistent ? 2 : 1
        if let v = m.messageId { p.message_id = arena.bytes(v); flags |= BZ_FLAG_MESSAGE_ID }
        if let v = m.type { p.type = arena.bytes(v); flags |= BZ_FLAG_TYPE }
        if let v = m.appId { p.app_id = arena.bytes(v); flags |= BZ_FLAG_APP_ID }
        if let v = m.userId { p.user_id = arena.bytes(v); flags |= BZ_FLAG_USER_ID }
        if let v = m.timestamp { p.timestamp = UInt64(max(0, v.timeIntervalSince1970)); flags |= BZ_FLAG_TIMESTAMP }
        if let v = m.correlationId { p.correlation_id = arena.bytes(v); flags |= BZ_FLAG_CORRELATION_ID }
        if let v = m.replyTo { p.reply_to = arena.bytes(v); flags |= BZ_FLAG_REPLY_TO }
        if let v = m.contentType { p.content_type = arena.bytes(v); flags |= BZ_FLAG_CONTENT_TYPE }
        if !m.headers.isEmpty {
            p.headers = arena.table(m.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            flags |= BZ_FLAG_HEADERS
        }
        p._flags = flags
        return p
    }
}
