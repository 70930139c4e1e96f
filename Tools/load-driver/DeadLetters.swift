import Foundation
import Messaging

/// The run's own view of the dead-letter routes: a durable queue, provisioned by the admin before
/// the first hostile message and deleted after the tally, bound to every route a dead letter
/// takes (a service's own on `bizops.internal`, the broker's on `bizops.dlx`, the unrouted
/// sweeper's). It gets a copy of each dead letter while the run lasts (its own, and any other
/// traffic's then), so the tally reads a few hundred messages instead of every dead letter
/// earlier runs left in the services' queues.
struct DeadLetterCapture: Sendable {
    let queue: String
    let services: [String]

    static func queueName(run: String) -> String { "load-driver.\(run).dead-letters" }

    init(run: String, services: [String]) {
        queue = Self.queueName(run: run)
        self.services = Array(Set(services)).sorted()
    }

    /// One dead letter as the capture saw it: which `*.dead` queue it also went to.
    struct Letter: Sendable { let tag: String?; let reason: String; let deadQueue: String; let correlationId: String? }

    func provision() async throws {
        var bindings = [Topology.Binding(Topology.internalRoutes, Topology.unroutedDead), Topology.Binding(Topology.deadLetters, Topology.unrouted)]
        for s in services {
            bindings.append(Topology.Binding(Topology.internalRoutes, "\(s).dead"))
            bindings.append(Topology.Binding(Topology.deadLetters, s))
        }
        let admin = AMQPClient(config: try Bus.config("bizops"), name: "load-driver dead-letter capture")
        defer { Task { await admin.close() } }
        // Read only at the end of the run: it expires a day after that, should the driver be killed.
        try await admin.declareDurableQueue(queue, bindings: bindings, expiresAfter: .seconds(86_400))
    }

    /// Takes every copy out of the capture queue (it is the run's own).
    func drain() async throws -> [Letter] {
        let admin = AMQPClient(config: try Bus.config("bizops"), name: "load-driver dead-letter capture")
        defer { Task { await admin.close() } }
        let expected = try await admin.messageCount(queue)
        var letters: [Letter] = []
        guard expected > 0 else { return letters }
        try await admin.startConsuming(queue, prefetch: 500)
        var idle = ContinuousClock.now
        while letters.count < expected, ContinuousClock.now - idle < .seconds(5) {
            let batch = try await admin.receive(max: 500, wait: 0.2)
            if batch.isEmpty { continue }
            idle = .now
            for d in batch {
                let deadQueue: String
                if d.exchange == Topology.deadLetters {
                    deadQueue = d.routingKey == Topology.unrouted ? Topology.unroutedDead : "\(d.routingKey).dead"
                } else { deadQueue = d.routingKey }
                letters.append(Letter(tag: d.properties.headers["x-load-hostile"]?.description,
                                      reason: d.properties.headers["x-dead-letter-reason"]?.description ?? "(no reason)", deadQueue: deadQueue,
                                      correlationId: d.properties.correlationId))
            }
            try await admin.ack(batch)
        }
        if letters.count < expected { throw DriverError("read \(letters.count) of the \(expected) dead letters of \(queue)") }
        return letters
    }

    static func remove(_ queue: String) async {
        let admin = try? AMQPClient(config: Bus.config("bizops"), name: "load-driver dead-letter capture")
        try? await admin?.deleteQueue(queue)
        await admin?.close()
    }

    /// Takes the run's hostile dead letters (and any an earlier run left, found on the way) out
    /// of the services' `*.dead` queues, so fault runs do not pile up megabytes of synthetic
    /// poison there; everything else is put back as it was. Reads a queue only until all of
    /// this run's letters in it were found. Returns how many were removed and how many of the
    /// run's own were not found.
    static func clean(run: String, letters: [Letter]) async throws -> (removed: Int, missed: Int) {
        let own = "LD-HOSTILE-\(run)-"
        var pending: [String: Int] = [:]
        for l in letters where l.tag?.hasPrefix(own) == true { pending[l.deadQueue, default: 0] += 1 }
        var removed = 0, missed = 0
        for (queue, count) in pending.sorted(by: { $0.key < $1.key }) {
            let (r, left) = try await sweep(queue, own: own, expected: count)
            removed += r; missed += left
        }
        return (removed, missed)
    }

    /// `load-driver clean`: every hostile dead letter of any run out of every `*.dead` queue.
    static func cleanAll() async throws -> [String: Int] {
        var removed: [String: Int] = [:]
        let queues = try await Management.call("/queues/bizops?columns=name,messages") as? [[String: Any]] ?? []
        for q in queues {
            guard let name = q["name"] as? String, name.hasSuffix(".dead"), (q["messages"] as? Int ?? 0) > 0 else { continue }
            removed[name] = try await sweep(name, own: nil, expected: nil).removed
        }
        return removed
    }

    /// Reads `queue` from its head, acknowledging (removing) the hostile letters and putting the
    /// rest back, until `expected` letters tagged `own` were found, or until nothing came for a
    /// while (the end of the queue). Only the removed ones are kept, and only per batch: an old letter can be megabytes.
    private static func sweep(_ queue: String, own: String?, expected: Int?) async throws -> (removed: Int, left: Int) {
        let admin = AMQPClient(config: try Bus.config("bizops"), name: "load-driver dead-letter cleaner")
        var left = expected ?? 0, removed = 0, kept = 0
        do {
            try await admin.startConsuming(queue, prefetch: 2000)
            var idle = ContinuousClock.now
            // A queue of large letters is read from disk: give it time before calling it the end.
            while expected == nil || left > 0, ContinuousClock.now - idle < .seconds(20) {
                let batch = try await admin.receive(max: 500, wait: 0.2)
                if batch.isEmpty { continue }
                idle = .now
                var synthetic: [Delivery] = []
                for d in batch {
                    guard let tag = d.properties.headers["x-load-hostile"]?.description, tag.hasPrefix("LD-HOSTILE-") else { kept += 1; continue }
                    synthetic.append(d)
                    if let own, tag.hasPrefix(own) { left -= 1 }
                }
                try await admin.ackEach(synthetic)
                removed += synthetic.count
                // Held letters count against the prefetch: past it, nothing more would come.
                if kept >= 1900 { break }
            }
        } catch {
            await admin.close()  // closing the channel puts back whatever it had not acknowledged
            throw error
        }
        // Closing the channel puts back every letter held and not acknowledged, as it was.
        await admin.close()
        return (removed, max(0, left))
    }
}
