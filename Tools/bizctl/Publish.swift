import ArgumentParser
import Foundation
import Logging
import Messaging

/// Publishes one command onto bizops.ingress as an outside system does: logged in as that
/// system's broker user, with `user_id` set to it (the broker checks it), persistent, confirmed
/// and mandatory (a command no queue takes fails here instead of vanishing).
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a command onto bizops.ingress as an outside system.",
        discussion: "The broker URL names the system: amqp://webshop:PASSWORD@HOST:5672/bizops publishes as webshop. "
            + "Give it with --amqp-url, in BIZCTL_AMQP_URL, or in a file (--amqp-url-file, BIZCTL_AMQP_URL_FILE) as "
            + "container platforms mount secrets. Each system may publish only its own commands "
            + "(deploy/outside-systems.txt); the broker refuses anything else (exit 77).")

    @Argument(help: "The command's routing key, e.g. order.place.")
    var routingKey: String

    @Argument(help: "The command's JSON body.")
    var json: String

    @OptionGroup var broker: BrokerOptions

    @Option(help: "The correlation id (e.g. the order reference).")
    var correlationId: String?

    @Option(help: "A queue of the system's own, bound to bizops.replies under its name, for the answer.")
    var replyTo: String?

    @Option(help: "The idempotency key, a UUID (default: a new one). Send a resend with the same one.")
    var messageId: String?

    @Option(help: "The sending application's name (AMQP app_id).")
    var appId: String = "bizctl"

    @Option(help: "The message type and version (AMQP type), e.g. order.place.v2 (default: none, which the services read as <routing key>.v1).")
    var type: String?

    @Flag(help: "Wait for the answer on the reply queue (default --reply-to: the system's own <user>.replies) and print it; exit 65 if it is rejected or refused.")
    var wait = false

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 30

    func validate() throws {
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8))) is [String: Any] else {
            throw ValidationError("the body must be a JSON object")
        }
        if let messageId, UUID(uuidString: messageId) == nil { throw ValidationError("--message-id must be a UUID") }
    }

    func run() async throws {
        let messageId = self.messageId ?? UUID().uuidString.lowercased()
        let config = try broker.config()
        let replyTo = self.replyTo ?? (wait ? Topology.replyQueue(of: config.user) : nil)
        var logger = Logger(label: "bizctl")
        logger.logLevel = .warning
        let publisher = ConfirmedPublisher(config: config, name: "bizctl publish", logger: logger)
        let message = OutgoingMessage(exchange: Topology.ingress, routingKey: routingKey, properties: MessageProperties(
            messageId: messageId, type: type, appId: appId, userId: config.user, timestamp: Date(), correlationId: correlationId,
            replyTo: replyTo), body: Data(json.utf8))
        do {
            let outcome = try await publisher.publish([message]).first
            await publisher.close()
            switch outcome {
            case .confirmed?:
                print("published \(routingKey) as \(config.user) (message_id \(messageId))")
                if wait, let replyTo { try await awaitAnswer(config: config, queue: replyTo, messageId: messageId) }
            case .returned(let reason)?:
                print("bizctl: \(routingKey) was not routed (no service takes it): \(reason)", to: &standardError)
                throw ExitCode(65)
            default:
                print("bizctl: the broker did not take \(routingKey); publish again (same --message-id)", to: &standardError)
                throw ExitCode(75)
            }
        } catch let error as AMQPError {
            await publisher.close()
            // Only the redacted URL is ever shown: no password in any line.
            print("bizctl: \(config.redacted): \(error)", to: &standardError)
            throw ExitCode(error.code == 403 ? 77 : 69)
        }
    }

    /// Reads the reply queue for the answer to `messageId` (its `causation_id`); other answers
    /// there are left as they were, for whoever else reads the queue.
    func awaitAnswer(config: AMQPConfig, queue: String, messageId: String) async throws {
        let reader = AMQPClient(config: config, name: "bizctl publish answer")
        defer { Task { await reader.close() } }
        try await reader.startConsuming(queue, prefetch: 500)
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            for delivery in try await reader.receive(max: 500, wait: 0.5) where delivery.properties.headers["causation_id"]?.description == messageId {
                try await reader.ackEach([delivery])
                let text = String(decoding: delivery.body, as: UTF8.self)
                print("answer \(delivery.properties.type ?? "-"): \(text)")
                let answer = (try? JSONSerialization.jsonObject(with: delivery.body)) as? [String: Any]
                let outcome = answer?["outcome"] as? String, type = delivery.properties.type ?? ""
                // A rejection or refusal: an outcome saying so, a *.rejected / *_refused answer, or a reason code given.
                if outcome == "rejected" || outcome == "refused" || type.contains("rejected") || type.contains("refused")
                    || (outcome == nil && answer?["reasonCode"] is String) { throw ExitCode(65) }
                return
            }
        }
        print("bizctl: no answer on \(queue) within \(Int(timeout)) s; it may still come (same --message-id to send again)", to: &standardError)
        throw ExitCode(75)
    }
}
