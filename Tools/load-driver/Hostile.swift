import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Messaging
import Synchronization

/// A stream of hostile messages beside the orders, each tagged with the header `x-load-hostile`
/// (and the same tag as `correlation_id`), so it can be found again even without a message_id:
/// in a dead-letter queue with its reason, in an answer, or refused by the broker itself.
/// Most come from the web shop on its own routing key; unknown routing keys and a missing
/// `user_id` need a sender the broker lets do that, so they come from the admin.
final class Hostile: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case notJSON = "not JSON", wrongTypes = "wrong types", unknownType = "unknown type", unknownRoutingKey = "unknown routing key"
        case missingMessageId = "missing message_id", nonUUIDMessageId = "non-UUID message_id", tooLarge = "body over 1 MiB"
        case deepNesting = "deep nesting", invalidUTF8 = "invalid UTF-8", wrongContentType = "wrong content type"
        case missingUserId = "missing user_id", forbiddenKey = "routing key the sender may not use"
    }
    struct Sent: Sendable { let tag: String; let kind: Kind }

    /// What each kind must come to: its dead letter's reason, or the broker's refusal.
    static func expected(_ kind: Kind) -> String {
        switch kind {
        case .notJSON, .deepNesting, .invalidUTF8: "malformed-json"
        case .wrongTypes: "invalid-field"
        case .unknownType: "unknown-type"
        case .unknownRoutingKey: "unknown-routing-key"
        case .missingMessageId, .nonUUIDMessageId, .wrongContentType: "invalid-envelope"
        case .tooLarge: "message-too-large"
        case .missingUserId: "missing-user-id"
        case .forbiddenKey: "broker-refused"
        }
    }

    private let run: String
    let capture: DeadLetterCapture
    private let keepDeadLetters: Bool
    private let webshop: ConfirmedPublisher, admin: ConfirmedPublisher
    private let sent = Mutex<[Sent]>([])
    private let brokerRefused = Mutex<Set<String>>([])
    private let letters = Mutex<[DeadLetterCapture.Letter]>([])

    init(run: String, services: [String], keepDeadLetters: Bool, logger: Logger) throws {
        self.run = run
        capture = DeadLetterCapture(run: run, services: services)
        self.keepDeadLetters = keepDeadLetters
        webshop = ConfirmedPublisher(config: try Bus.config("webshop"), name: "load-driver hostile webshop", confirmTimeout: 10, logger: logger)
        admin = ConfirmedPublisher(config: try Bus.config("bizops"), name: "load-driver hostile admin", confirmTimeout: 10, logger: logger)
    }

    var count: Int { sent.withLock { $0.count } }

    /// Sends one message of the n-th kind (round robin); the broker refusing it is an outcome too.
    func send(_ n: Int) async {
        let kind = Kind.allCases[n % Kind.allCases.count]
        let tag = "LD-HOSTILE-\(run)-\(n)"
        var props = MessageProperties(messageId: UUID().uuidString.lowercased(), type: "order.place.v1", appId: "load-driver-hostile",
                                      userId: "webshop", timestamp: Date(), correlationId: tag, replyTo: "webshop.replies",
                                      headers: ["x-load-hostile": .string(tag)])
        var key = "order.place"
        var body = Data(#"{"orderRef":"\#(tag)","customerCode":"NOBODY","lines":[{"sku":"X","quantity":1}],"deliveryAddress":{"line1":"x","city":"x","postalCode":"1","country":"CN"},"requestedDeliveryDate":"2027-01-01"}"#.utf8)
        var asAdmin = false
        switch kind {
        case .notJSON: body = Data("<order>this is not JSON {".utf8)
        case .wrongTypes: body = Data(#"{"orderRef":12,"customerCode":true,"lines":"many","deliveryAddress":[],"requestedDeliveryDate":5}"#.utf8)
        case .unknownType: props.type = "order.place.v9"
        case .unknownRoutingKey: key = "order.teleport"; asAdmin = true; props.userId = "bizops"; props.replyTo = nil
        case .missingMessageId: props.messageId = nil
        case .nonUUIDMessageId: props.messageId = "order-\(n)"
        case .tooLarge: body = Data(#"{"orderRef":"\#(tag)","note":""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 1_572_864) + Data(#""}"#.utf8)
        case .deepNesting: body = Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        case .invalidUTF8: body = Data(#"{"orderRef":""#.utf8) + Data([0xFF, 0xFE, 0xC3, 0x28]) + Data(#"","lines":[]}"#.utf8)
        case .wrongContentType: props.contentType = "text/xml"
        case .missingUserId: asAdmin = true; props.userId = nil; props.replyTo = nil
        case .forbiddenKey: key = "payment.record"
        }
        sent.withLock { $0.append(Sent(tag: tag, kind: kind)) }
        let message = OutgoingMessage(exchange: Topology.ingress, routingKey: key, properties: props, body: body)
        do {
            let outcome = try await (asAdmin ? admin : webshop).publish([message]).first
            if outcome != .confirmed { sent.withLock { $0.removeAll { $0.tag == tag } } }  // not taken: it does not count
        } catch {
            // The broker closed the channel (403 for a key the web shop may not publish): refused at the door.
            if kind == .forbiddenKey, (error as? AMQPError)?.code == 403 { brokerRefused.withLock { _ = $0.insert(tag) } } else {
                sent.withLock { $0.removeAll { $0.tag == tag } }  // not sent (the broker was away): it does not count
            }
        }
    }

    struct Tally: Codable, Sendable {
        var sent = 0
        var byKind: [String: Int] = [:]
        var deadLettered: [String: Int] = [:]     // reason → count
        var answeredOnly: [String: Int] = [:]     // answered rejected, not found among dead letters (a failure)
        var brokerRefused = 0
        var unaccounted: [String] = []
        var wrongOutcome: [String] = []
        /// Dead letters of this run that were not hostile (valid traffic), by reason: should be none.
        var otherDeadLetters: [String: Int] = [:]
        /// Dead letters of other traffic while the run lasted (not this run's doing: reported only).
        var elsewhere = 0
        /// Hostile dead letters taken out of the services' `*.dead` queues afterwards, and this
        /// run's that were not found there (left behind for a later run to remove).
        var removed = 0
        var notRemoved = 0
    }

    /// After the report: the run's hostile dead letters out of the services' queues, best effort,
    /// and only when every hostile message was accounted for (otherwise they are the evidence).
    func cleanUp(_ tally: inout Tally) async {
        guard !keepDeadLetters, tally.unaccounted.isEmpty, tally.wrongOutcome.isEmpty else { return }
        do { (tally.removed, tally.notRemoved) = try await DeadLetterCapture.clean(run: run, letters: letters.withLock { $0 }) } catch {
            FileHandle.standardError.write(Data("load-driver: could not take the hostile dead letters out (\(error)); `load-driver clean` will\n".utf8))
        }
    }

    /// Where each hostile message ended: the dead-letter routes (the run's capture queue), the
    /// answers the web shop got, the broker's refusals. Then the run's hostile dead letters
    /// leave the services' `*.dead` queues, unless kept for a look.
    func tally(answers: [String: String]) async throws -> Tally {
        let letters = try await capture.drain()
        self.letters.withLock { $0 = letters }
        var t = Tally()
        var dead: [String: String] = [:]
        for l in letters {
            if let tag = l.tag { if tag.hasPrefix("LD-HOSTILE-\(run)-") { dead[tag] = l.reason } }
            // The run's own orders are referenced LD-<run>-n; other traffic's letters are not this run's doing.
            else if l.correlationId?.hasPrefix("LD-\(run)-") == true { t.otherDeadLetters[l.reason, default: 0] += 1 }
            else { t.elsewhere += 1 }
        }
        await DeadLetterCapture.remove(capture.queue)
        let refused = brokerRefused.withLock { $0 }
        for s in sent.withLock({ $0 }) {
            t.sent += 1
            t.byKind[s.kind.rawValue, default: 0] += 1
            let outcome: String?
            if let reason = dead[s.tag] { t.deadLettered[reason, default: 0] += 1; outcome = reason }
            else if refused.contains(s.tag) { t.brokerRefused += 1; outcome = "broker-refused" }
            else {
                // An answer without its dead letter is not enough: the dead letter is what must not be lost.
                if let answer = answers[s.tag] { t.answeredOnly[answer, default: 0] += 1 }
                outcome = nil
                t.unaccounted.append("\(s.tag) (\(s.kind.rawValue))")
            }
            if let outcome, outcome != Self.expected(s.kind), t.wrongOutcome.count < 20 {
                t.wrongOutcome.append("\(s.tag) (\(s.kind.rawValue)): \(outcome), expected \(Self.expected(s.kind))")
            }
        }
        return t
    }

    func close() async { await webshop.close(); await admin.close() }
}

/// RabbitMQ's management HTTP API, as the admin.
enum Management {
    /// A call, tried again a few times: the API is slow or away for a while around a broker restart.
    static func call(_ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        var attempt = 0
        while true {
            do { return try await once(path, body) } catch {
                attempt += 1
                if attempt >= 5 { throw DriverError("RabbitMQ's management API did not answer \(path) after \(attempt) tries: \(error)") }
                try await Task.sleep(for: .seconds(2 * attempt))
            }
        }
    }

    private static func once(_ path: String, _ body: [String: Any]?) async throws -> Any {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:15672/api\(path)")!)
        request.setValue("Basic " + Data("bizops:bizops-dev".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 30
        if let body {
            request.httpMethod = "POST"
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await HTTP.session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw DriverError("RabbitMQ's management API answered \(status) to \(path)") }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Messages waiting in the services' queues and retry queues (not the dead-letter queues).
    static func backlog(services: [String]) async throws -> Int {
        let queues = try await call("/queues/bizops?columns=name,messages") as? [[String: Any]] ?? []
        return queues.reduce(0) { sum, q in
            guard let name = q["name"] as? String, !name.hasSuffix(".dead"),
                  services.contains(where: { name == $0 || name.hasPrefix("\($0).retry.") }) else { return sum }
            return sum + (q["messages"] as? Int ?? 0)
        }
    }
}
