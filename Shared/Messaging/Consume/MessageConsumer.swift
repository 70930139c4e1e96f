import Contracts
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// Test and tooling seams around a batch; production leaves them empty.
public struct ConsumerHooks: Sendable {
    /// Runs after the batch's transaction committed and before its acks are sent.
    public var afterCommit: (@Sendable ([Delivery]) async -> Void)?
    public init(afterCommit: (@Sendable ([Delivery]) async -> Void)? = nil) { self.afterCommit = afterCommit }
}

/// The consume loop of a service: receive a batch, run it in one transaction, send
/// failures to a retry queue or the dead-letter queue (confirmed), then acknowledge.
/// Nothing is acknowledged before its effects, its retry or its dead letter is durable.
public final class MessageConsumer: Service, Sendable {
    public let channel: ConsumerChannel
    public let processor: MessageProcessor
    public let publisher: ConfirmedPublisher
    public let batchSize: Int
    /// Retries through the retry queues before a transient failure becomes a dead letter.
    public let maxRetries: Int
    private let hooks: ConsumerHooks
    private let logger: Logger
    private var metrics: ConsumeMetrics { processor.metrics }
    private let batchRecorder: Recorder
    private let batchTimer: Metrics.Timer

    public init(channel: ConsumerChannel, processor: MessageProcessor, publisher: ConfirmedPublisher,
                batchSize: Int = 100, maxRetries: Int = 5, hooks: ConsumerHooks = ConsumerHooks(), logger: Logger) {
        self.channel = channel; self.processor = processor; self.publisher = publisher
        self.batchSize = max(1, batchSize); self.maxRetries = maxRetries; self.hooks = hooks; self.logger = logger
        let service = channel.topology.service
        batchRecorder = Recorder(label: "bizops_consume_batch_size", dimensions: [("service", service)])
        batchTimer = Metrics.Timer(label: "bizops_consume_batch_seconds", dimensions: [("service", service)])
    }

    private var topology: Topology { channel.topology }

    public func run() async throws {
        var backoff = Backoff()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let batch: [Delivery]
            do {
                batch = try await channel.receive(max: batchSize, wait: 0.25)
                backoff.reset()
            } catch {
                logger.warning("broker unavailable, reconnecting", metadata: [
                    "error": "\(error)", "within_seconds": "\(String(format: "%.1f", backoff.upcoming))"])
                await backoff.wait()
                continue
            }
            if batch.isEmpty { continue }
            let started = ContinuousClock.now
            let result = await processor.process(batch)
            await hooks.afterCommit?(batch)
            await settle(result)
            batchRecorder.record(batch.count)
            batchTimer.recordNanoseconds((ContinuousClock.now - started).totalNanoseconds)
        }
        await channel.close()
        logger.info("consumer stopped", metadata: ["queue": "\(topology.queue)"])
    }

    private func settle(_ result: BatchResult) async {
        var outgoing: [OutgoingMessage] = []
        var owners: [Delivery] = []
        var dead: [Delivery] = [], retried: [Delivery] = []
        var rejected = result.permanent
        for (delivery, reason) in result.transient {
            let attempt = Int(delivery.properties.headers["x-retry-count"]?.intValue ?? 0) + 1
            if attempt > maxRetries {
                let message = "gave up after \(maxRetries) retries; last error: \(reason)"
                outgoing.append(deadLetter(delivery, code: .retriesExhausted, message: message))
                rejected.append((delivery, .retriesExhausted, message))
                dead.append(delivery)
            } else {
                outgoing.append(retry(delivery, attempt: attempt, reason: reason))
                retried.append(delivery)
            }
            owners.append(delivery)
        }
        for (delivery, reason) in result.waiting {
            let attempt = Int(delivery.properties.headers["x-wait-count"]?.intValue ?? 0) + 1
            outgoing.append(OutgoingMessage(exchange: Topology.internalRoutes, routingKey: topology.retryQueue(forAttempt: attempt),
                                            properties: forwarded(delivery, extra: [
                                                "x-wait-count": .int(Int64(attempt)), "x-waiting-for": .string(String(reason.prefix(500))),
                                            ]), body: delivery.body))
            owners.append(delivery)
        }
        for (delivery, code, message) in result.permanent {
            logger.warning("dead-lettering message", metadata: [
                "reason": "\(code)", "error": "\(message)", "message_id": "\(delivery.properties.messageId ?? "-")",
                "correlation_id": "\(delivery.properties.correlationId ?? "-")", "routing_key": "\(delivery.routingKey)"])
            outgoing.append(deadLetter(delivery, code: code, message: message))
            owners.append(delivery)
            dead.append(delivery)
        }
        var failed: [Delivery] = []
        if !outgoing.isEmpty {
            do {
                let outcomes = try await publisher.publish(outgoing)
                failed = zip(owners, outcomes).filter { $0.1 != .confirmed }.map(\.0)
            } catch {
                logger.warning("could not publish retries/dead letters; returning them to the queue", metadata: ["error": "\(error)"])
                failed = owners
            }
        }
        await answerRejected(rejected.filter { !failed.map(\.deliveryTag).contains($0.0.deliveryTag) })
        let failedTags = Set(failed.map(\.deliveryTag))
        do {
            try await channel.requeue(failed)
            try await channel.ack(result.handled + owners.filter { !failedTags.contains($0.deliveryTag) })
        } catch {
            // The broker redelivers them; the inbox makes the second run a no-op.
            logger.warning("acknowledgement failed; messages will be redelivered", metadata: ["error": "\(error)"])
        }
        metrics.count(result.handled.filter { !result.duplicateTags.contains($0.deliveryTag) && !result.refusedTags.contains($0.deliveryTag) }, "handled")
        metrics.count(result.handled.filter { result.refusedTags.contains($0.deliveryTag) }, "refused")
        RefusalLog.count(result.refusals, service: topology.service)
        metrics.count(result.waiting.map(\.0), "waiting")
        metrics.count(result.handled.filter { result.duplicateTags.contains($0.deliveryTag) }, "duplicate")
        metrics.count(retried, "retried")
        metrics.count(dead, "dead_lettered")
    }

    /// A poison command whose sender asked for an answer (`reply_to`) hears why. Best effort:
    /// the dead letter, which carries the same reason, is what must not be lost.
    private func answerRejected(_ rejected: [(Delivery, code: ReasonCode, message: String)]) async {
        let answers = rejected.compactMap {
            OutgoingMessage.rejection(of: $0.0, code: $0.code, message: $0.message, from: topology.service)
        }
        guard !answers.isEmpty else { return }
        do {
            let outcomes = try await publisher.publish(answers)
            for case .returned(let reason) in outcomes {
                logger.notice("answer to a refused command could not be delivered", metadata: ["reason": "\(reason)"])
            }
        } catch {
            logger.warning("could not answer refused commands", metadata: ["error": "\(error)"])
        }
    }

    /// The original message again, with the original names and properties kept, so the
    /// handler sees the same message when the retry queue hands it back.
    private func forwarded(_ delivery: Delivery, extra: [String: HeaderValue]) -> MessageProperties {
        var properties = delivery.forwardedProperties(type: HandlerRegistry.messageType(of: delivery))
        properties.headers.merge(extra) { $1 }
        return properties
    }

    private func retry(_ delivery: Delivery, attempt: Int, reason: String) -> OutgoingMessage {
        OutgoingMessage(exchange: Topology.internalRoutes, routingKey: topology.retryQueue(forAttempt: attempt),
                        properties: forwarded(delivery, extra: [
                            "x-retry-count": .int(Int64(attempt)), "x-last-error": .string(String(reason.prefix(500))),
                        ]), body: delivery.body)
    }

    private func deadLetter(_ delivery: Delivery, code: ReasonCode, message: String) -> OutgoingMessage {
        OutgoingMessage(exchange: Topology.internalRoutes, routingKey: topology.deadQueue,
                        properties: forwarded(delivery, extra: [
                            "x-dead-letter-reason": .string(code.rawValue),
                            "x-dead-letter-error": .string(String(message.prefix(1000))),
                            "x-dead-lettered-by": .string(topology.service),
                            "x-dead-lettered-at": .string(Date().formatted(.iso8601)),
                        ]), body: delivery.body)
    }
}
