import ArgumentParser
import Foundation
import Logging
import Messaging
import Storage

/// `bizctl dead`: a service's dead letters, for the person who must deal with them. Reading
/// never loses one (each is taken and put back); replay, edit and purge take exactly the
/// letters chosen, and each such action is written, with who did it, to the service's
/// `operator_actions` table (read through `GET /operator-actions`).
struct Dead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, replay, correct and purge a service's dead letters.",
        discussion: "Acts on the broker as its admin (--amqp-url, BIZCTL_AMQP_URL) and records replay, edit and purge in the service's database (--database-url, BIZCTL_DATABASE_URL) under the operator's name (--operator, BIZCTL_OPERATOR, or the login name).",
        subcommands: [DeadList.self, DeadShow.self, DeadReplay.self, DeadEdit.self, DeadPurge.self])
}

/// Which dead-letter queue, and which of its letters.
struct DeadSelection: ParsableArguments {
    @Argument(help: "The service id (sales, logistics, customer_service, finance, risk), or `unrouted` for commands nobody handles.")
    var service: String

    @Option(name: .customLong("id"), help: "A letter's message_id (repeatable).")
    var ids: [String] = []

    @Option(help: "Only letters with this reason (x-dead-letter-reason), e.g. retries-exhausted.")
    var reason: String?

    @Option(help: "Only letters of this message type, e.g. order.place.v1.")
    var type: String?

    var queue: String { service == "unrouted" ? Topology.unroutedDead : "\(service).dead" }
    /// The service's schema, where its operator actions are kept.
    var schema: String { service == "unrouted" ? "sales" : service.replacingOccurrences(of: "-", with: "_") }
    /// The queue a replay goes back to: the service's own, never its subscribers' again.
    var workQueue: String? { service == "unrouted" ? nil : service }

    var filterText: String? {
        let parts = ids.map { "id=\($0)" } + [reason.map { "reason=\($0)" }, type.map { "type=\($0)" }].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// Replay and purge act on letters named (an id, a reason, a type) or on `--all`, never on none by default.
    func requireChoice(all: Bool) throws {
        if ids.isEmpty && reason == nil && type == nil && !all { throw ValidationError("choose letters: --id, --reason, --type, or --all") }
    }

    func matches(_ letter: DeadLetter) -> Bool {
        (ids.isEmpty || ids.contains(letter.messageId ?? "")) && (reason == nil || letter.reason == reason)
            && (type == nil || letter.type == type)
    }
}

/// One dead letter as read: what a person needs to judge it, and (when chosen) the message itself.
struct DeadLetter: Encodable {
    let position: Int
    let messageId: String?
    let type: String?
    let routingKey: String?
    let reason: String
    let error: String?
    let deadLetteredAt: String?
    let firstFailureAt: String?
    let retries: Int64?
    let correlationId: String?
    let bodyBytes: Int
    let preview: String
    /// The broker's hold on it for this read, and the message itself when it was chosen.
    let handle: DeliveryHandle
    var delivery: Delivery?

    enum CodingKeys: String, CodingKey {
        case position, messageId, type, routingKey, reason, error, deadLetteredAt, firstFailureAt, retries, correlationId, bodyBytes, preview
    }

    init(_ d: Delivery, position: Int, keep: Bool) {
        let h = d.properties.headers
        self.position = position
        handle = d.handle
        messageId = d.properties.messageId
        type = d.properties.type
        routingKey = h["x-original-routing-key"]?.description
        reason = h["x-dead-letter-reason"]?.description ?? (h["x-death"] != nil ? "delivery-limit" : "(no reason)")
        error = h["x-dead-letter-error"]?.description
        deadLetteredAt = h["x-dead-lettered-at"]?.description
        firstFailureAt = h["x-first-attempt-at"]?.intValue.map { Date(timeIntervalSince1970: Double($0) / 1000).formatted(.iso8601) }
        retries = h["x-retry-count"]?.intValue
        correlationId = d.properties.correlationId
        bodyBytes = d.body.count
        let text = String(decoding: d.body.prefix(160), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        preview = d.body.count > 160 ? text + "…" : text
        delivery = keep ? d : nil
    }
}

/// Reads a dead-letter queue as the broker's admin: every letter is taken, looked at, and either
/// put back unchanged (`release`) or removed once dealt with (`remove`). Letters not settled
/// when the connection closes, or when it drops, go back by themselves; a removal on a dropped
/// connection fails loudly rather than passing for done. While letters are held (a person
/// at a prompt, a rate-limited replay), the connection is kept alive.
final class DeadLetterReader {
    let client: AMQPClient
    let queue: String
    private(set) var letters: [DeadLetter] = []
    private var settled = Set<Int>()
    private var keepAlive: Task<Void, Never>?
    /// When the letters were taken: the broker takes them back from a reader that holds them
    /// longer than its consumer_timeout (30 minutes by default), keep-alive or not.
    private(set) var heldSince = ContinuousClock.now
    static let holdLimit: Duration = .seconds(25 * 60)

    init(config: AMQPConfig, queue: String) {
        client = AMQPClient(config: config, name: "bizctl dead \(queue)")
        self.queue = queue
    }

    /// How long the letters have been held.
    var heldFor: Duration { ContinuousClock.now - heldSince }

    /// Takes every letter in the queue (those that arrive meanwhile wait for the next read);
    /// `keep` decides whose message is held for a replay.
    func read(keep: (DeadLetter) -> Bool) async throws {
        let count: Int
        do { count = try await client.messageCount(queue) } catch let error as AMQPError where error.code == 404 {
            throw ValidationError("there is no queue \(queue) on the broker")
        }
        guard count > 0 else { return }
        heldSince = .now
        try await client.startConsuming(queue, prefetch: .max)
        func take(_ batch: [Delivery]) {
            for d in batch {
                let summary = DeadLetter(d, position: letters.count + 1, keep: false)
                letters.append(keep(summary) ? DeadLetter(d, position: summary.position, keep: true) : summary)
            }
        }
        var idle = ContinuousClock.now
        while letters.count < count, ContinuousClock.now - idle < .seconds(10) {
            let batch = try await client.receive(max: 500, wait: 0.2)
            if batch.isEmpty { continue }
            idle = .now
            take(batch)
        }
        // No more: what is released from here on stays in the queue instead of coming back to us.
        try await client.stopConsuming()
        while case let batch = try await client.receive(max: 500, wait: 0), !batch.isEmpty { take(batch) }
        // Well inside the heartbeat the broker agreed to, so neither side takes the other for dead.
        let heartbeat = try await client.heartbeat()
        let every: Duration = heartbeat > 0 ? .milliseconds(max(500, heartbeat * 1000 / 3)) : .seconds(10)
        let client = self.client, held = letters.map(\.handle)
        keepAlive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { return }
                do { try await client.keepAlive(holding: held) } catch { return }  // gone: what it held is back in the queue
            }
        }
    }

    /// Puts back, now, every letter not `chosen`: only the letters acted on stay held; and
    /// checks that those still are.
    func release(allBut chosen: [DeadLetter]) async throws {
        let keep = Set(chosen.map(\.position))
        let others = letters.filter { !keep.contains($0.position) && !settled.contains($0.position) }
        try await client.requeue(others.map(\.handle))
        settled.formUnion(others.map(\.position))
        try await ensureHeld(chosen)
    }

    /// Throws unless `chosen` are still held (the connection that took them is alive, and they
    /// have not been held so long that the broker is about to take them back): checked before
    /// anything is recorded or sent, so no action is recorded that cannot happen.
    func ensureHeld(_ chosen: [DeadLetter]) async throws {
        guard heldFor < Self.holdLimit else {
            throw RuntimeFailure("the letters were held \(Int(heldFor.components.seconds / 60)) minutes, near the broker's consumer_timeout (30 min by default): nothing more was done; run the command again")
        }
        guard !chosen.isEmpty else { return }
        do { try await client.keepAlive(holding: chosen.map(\.handle)) } catch {
            throw RuntimeFailure("the broker connection that held the letters was lost (\(error)); they are back in \(queue) and nothing more was done: run the command again")
        }
    }

    /// Removes letters that were dealt with; returns once the broker has taken the removal.
    func remove(_ chosen: [DeadLetter]) async throws {
        do { try await client.ackEach(chosen.map(\.handle)) } catch let error as AMQPError {
            throw RuntimeFailure("\(error.message): the broker did not confirm removing \(chosen.count) letter\(chosen.count == 1 ? "" : "s"); any it did not take are back in \(queue) (bizctl dead list shows them)")
        }
        settled.formUnion(chosen.map(\.position))
    }

    /// Puts back every letter not removed, unchanged, and lets go of the queue.
    func releaseAll() async throws {
        keepAlive?.cancel()
        let others = letters.filter { !settled.contains($0.position) }
        try await client.requeue(others.map(\.handle))
        settled.formUnion(others.map(\.position))
        await client.close()
    }
}
