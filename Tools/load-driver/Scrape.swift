import Foundation

/// The services' own counters from /metrics (Prometheus text), summed over their replicas:
/// messages consumed, events and answers published, database transactions committed.
struct Counters: Codable, Sendable {
    var consumed = 0.0, published = 0.0, transactions = 0.0

    static func scrape(_ fleet: Fleet) async -> Counters {
        var total = Counters()
        for slot in fleet.slots {
            guard let text = try? await HTTP.text(port: slot.port, path: "/metrics") else { continue }
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                let name = line[..<space]
                if name.hasPrefix("bizops_messages_total{") { total.consumed += value }
                else if name.hasPrefix("bizops_outbox_published_total{") { total.published += value }
                else if name.hasPrefix("bizops_db_transactions_total{") { total.transactions += value }
            }
        }
        return total
    }

    static func - (a: Counters, b: Counters) -> Counters {
        Counters(consumed: a.consumed - b.consumed, published: a.published - b.published, transactions: a.transactions - b.transactions)
    }
}

/// The parts' own limits on this machine, measured in the same run by kit-bench: confirmed
/// persistent publishes, consume + transaction + ack, bare and through the kit, and single-row
/// commits through libpq.
struct Ceilings: Codable, Sendable {
    var barePublish = 0.0, kitPublish = 0.0, bareConsume = 0.0, kitConsume = 0.0, commits = 0.0

    static func measure(binDir: String, messages: Int) async throws -> Ceilings {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kit-bench-\(UUID().uuidString).json")
        var env = ProcessInfo.processInfo.environment
        env["BENCH_MESSAGES"] = "\(messages)"
        env["BENCH_JSON"] = out.path
        let status = try await Child.run("\(binDir)/kit-bench", [], environment: env, log: ".local/logs/kit-bench.log")
        guard status == 0 else { throw DriverError("kit-bench failed (exit \(status)); see .local/logs/kit-bench.log") }
        defer { try? FileManager.default.removeItem(at: out) }
        return try JSONDecoder().decode(Ceilings.self, from: Data(contentsOf: out))
    }

    /// Orders per second the parts allow for an order that costs these messages and commits,
    /// the machine's two cores shared by the broker, the database and the services: the time
    /// each part needs per order, added up.
    func bound(consumed: Double, published: Double, transactions: Double) -> Double? {
        guard barePublish > 0, bareConsume > 0, commits > 0, consumed + published + transactions > 0 else { return nil }
        return 1 / (published / barePublish + consumed / bareConsume + transactions / commits)
    }
}
