import Foundation
import ServiceKit
import Messaging

/// The bus as the tests use it: publish like an outside system, read what came out.
enum TestBus {
    /// Publishes with confirms, and again if the broker was away, each message as its sender:
    /// a command as the outside system that sends it (logged in as that system, `user_id` set),
    /// a message naming a `user_id` as that user, anything else as the admin (`user_id` bizops).
    static func send(_ messages: [OutgoingMessage]) async throws {
        var bySender: [String: [OutgoingMessage]] = [:], order: [String] = []
        for var message in messages {
            if message.properties.userId == nil {
                let system = message.exchange == Topology.ingress ? OutsideSystem.sender(of: message.routingKey) : nil
                message.properties.userId = system?.user ?? "bizops"
            }
            let user = message.properties.userId!
            // A test's reply queue `test.…` is bound under every sender's name: the answer is
            // addressed to `<sender>.test.…`, a queue of the sender, as the services require.
            if let replyTo = message.properties.replyTo, replyTo.hasPrefix("test.") { message.properties.replyTo = "\(user).\(replyTo)" }
            if bySender[user] == nil { order.append(user) }
            bySender[user, default: []].append(message)
        }
        for user in order { try await send(bySender[user]!, as: user) }
    }

    /// The bindings of a test's reply queue `test.…`: under its name for each possible sender
    /// (the outside systems and the admin), since answers go only to a queue of the sender.
    static func replyBindings(_ queue: String) -> [Topology.Binding] {
        (OutsideSystem.all.map(\.user) + ["bizops"]).map { .replies(to: "\($0).\(queue)") }
    }

    /// How `user` logs in (every local user's password is bizops-dev).
    static func config(_ user: String) throws -> AMQPConfig {
        user == "bizops" ? TestServers.amqp : try AMQPConfig.parse(Bizops.url(TestServers.amqpURL, role: user))
    }

    /// Publishes exactly as given (no `user_id` added) over `user`'s own connection.
    static func send(_ messages: [OutgoingMessage], as user: String) async throws {
        let publisher = ConfirmedPublisher(config: try config(user), name: "test-sender \(user)", logger: TestServers.logger)
        defer { Task { await publisher.close() } }
        var lastError: Error?
        for _ in 0..<40 {
            do { try await publisher.publishAll(messages); return } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        throw lastError!
    }

    /// A command like an outside system sends it: no `type`, the routing key says what it is.
    static func command(_ routingKey: String, _ json: String, messageId: String = UUID().uuidString, correlationId: String? = nil,
                        replyTo: String? = nil, appId: String = "test-system", userId: String? = nil, type: String? = nil) -> OutgoingMessage {
        OutgoingMessage(exchange: Topology.ingress, routingKey: routingKey,
                        properties: MessageProperties(messageId: messageId, type: type, appId: appId, userId: userId, timestamp: Date(),
                                                      correlationId: correlationId, replyTo: replyTo),
                        body: Data(json.utf8))
    }

    /// Reads up to `expected` messages from a queue (acking them), waiting up to `timeout`,
    /// then whatever else is there: a duplicate beyond the expected count shows up.
    /// Only deliveries `counting` accepts count towards `expected` (a dead-letter queue may hold
    /// other tests' letters); every delivery read is returned.
    static func drain(_ queue: String, expected: Int, timeout: Double = 30, as user: String = "bizops",
                      counting: (Delivery) -> Bool = { _ in true }) async throws -> [Delivery] {
        let reader = AMQPClient(config: try config(user))
        defer { Task { await reader.close() } }
        try await reader.startConsuming(queue)
        var got: [Delivery] = []
        let deadline = ContinuousClock.now + .seconds(timeout)
        while got.filter(counting).count < expected && ContinuousClock.now < deadline {
            let batch = try await reader.receive(max: 500, wait: 0.5)
            try await reader.ack(batch)
            got += batch
        }
        let extra = try await reader.receive(max: 500, wait: 0.5)
        try await reader.ack(extra)
        return got + extra
    }
}

/// An HTTP call through curl: status and body; signed in as `person` (the tests' default
/// caller; nil: no token), or with the given Authorization header value.
func http(_ url: String, method: String = "GET", json: String? = nil, headers: [String: String] = [:],
          as person: DirectoryPerson? = SignIn.tester, authorization: String? = nil) async throws -> (status: Int, body: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10", "-X", method]
    if let json { arguments += ["-H", "content-type: application/json", "--data-binary", json] }
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
    // Through a config file on stdin, not the command line, as a token should travel.
    var header: String? = authorization
    // A URL with its own credentials (RabbitMQ's management API) signs in with those instead.
    let ownCredentials = URLComponents(string: url)?.user != nil
    if header == nil, let person, !ownCredentials { header = "Bearer " + (try await SignIn.token(person)) }
    let input = Pipe()
    if header != nil { arguments += ["-K", "-"]; process.standardInput = input }
    process.arguments = arguments + [url]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    if let header {
        input.fileHandleForWriting.write(Data("header = \"Authorization: \(header)\"\n".utf8))
        try input.fileHandleForWriting.close()
    }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let status = Int(lines.popLast() ?? "") ?? 0
    return (status, lines.joined(separator: "\n"))
}

/// The value of a Prometheus metric in a /metrics text: the sum of its samples whose labels
/// contain every one given (e.g. `outcome="handled"`, over every type); nil when there is none.
func metric(_ text: String, _ name: String, _ labels: String...) -> Int? {
    let values = text.split(separator: "\n")
        .filter { ($0.hasPrefix(name + "{") || $0.hasPrefix(name + " ")) && labels.allSatisfy($0.contains) }
        .compactMap { Double($0.split(separator: " ").last ?? "") }
    return values.isEmpty ? nil : Int(values.reduce(0, +))
}
