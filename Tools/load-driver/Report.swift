import Foundation
import Histogram

/// What a run measured and found: printed as a table, written as JSON and Markdown.
struct Report: Codable, Sendable {
    struct Percentiles: Codable, Sendable {
        let step: String, count: UInt64, p50: Double, p90: Double, p99: Double, p999: Double, max: Double  // milliseconds
        init(_ step: String, _ l: Latency) {
            let h = l.histogram
            func ms(_ v: UInt64) -> Double { (Double(v) / 1000 * 10).rounded() / 10 }
            self.step = step; count = h.totalCount
            p50 = ms(h.valueAtPercentile(50)); p90 = ms(h.valueAtPercentile(90)); p99 = ms(h.valueAtPercentile(99))
            p999 = ms(h.valueAtPercentile(99.9)); max = ms(h.max)
        }
    }

    let mode: String, run: String, seed: UInt64, date: Date, machine: String, command: String
    let replicas: Int, rate: Double?, inFlight: Int?
    let placed: Int, completed: Int, failed: [String: Int], stuck: [String: Int]
    let window: Double, completedInWindow: Int, wall: Double, resends: Int, answers: [String: Int]
    let latencies: [Percentiles]
    let usage: [Fleet.Usage]
    let slowestReady: Double
    let perOrder: Counters
    let ceilings: Ceilings?
    let books: Books
    let kills: Int, restarts: [String], unexpectedExits: [String]
    let hostile: Hostile.Tally?
    let reconnects: Int
    let quiet: Bool
    let faultsMissing: [String]

    var throughput: Double { window > 0 ? Double(completedInWindow) / window : 0 }
    /// Killed processes take their counters with them: per-order costs come from bench runs only.
    var countersValid: Bool { mode == "bench" }
    var messagesConsumed: Double { completed > 0 ? perOrder.consumed / Double(completed) : 0 }
    var messagesPublished: Double { completed > 0 ? perOrder.published / Double(completed) : 0 }
    var transactions: Double { completed > 0 ? perOrder.transactions / Double(completed) : 0 }
    var bound: Double? { !countersValid ? nil : ceilings?.bound(consumed: messagesConsumed, published: messagesPublished, transactions: transactions) }

    /// Why the run fails; empty when it passes. Speed never fails a run.
    var failures: [String] {
        var f: [String] = []
        if placed == 0 { f.append("no order was placed") }
        if !quiet { f.append("the services' queues did not empty within 120 s of the last order") }
        f += faultsMissing
        if let hostile {
            if hostile.sent == 0 { f.append("no hostile message was sent") }
            if !hostile.wrongOutcome.isEmpty { f.append("hostile messages with the wrong outcome: " + hostile.wrongOutcome.prefix(5).joined(separator: ", ")) }
        }
        if completed < placed { f.append("\(placed - completed) of \(placed) orders did not complete (\(failed.merging(stuck) { $0 + $1 }.map { "\($0.key): \($0.value)" }.sorted().joined(separator: ", ")))") }
        if books.lost > 0 { f.append("\(books.lost) orders lost") }
        if !books.doubled.isEmpty { f.append("doubled: " + books.doubled.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")) }
        if !books.problems.isEmpty { f.append("books: " + books.problems.prefix(5).joined(separator: "; ")) }
        if !books.balanced { f.append("trial balance not zero: \(books.trialBalance)") }
        if !unexpectedExits.isEmpty { f.append("\(unexpectedExits.count) processes exited unplanned: " + unexpectedExits.prefix(5).joined(separator: ", ")) }
        if let hostile, !hostile.unaccounted.isEmpty { f.append("hostile messages unaccounted for: " + hostile.unaccounted.prefix(5).joined(separator: ", ")) }
        if let hostile, !hostile.otherDeadLetters.isEmpty {
            f.append("valid traffic dead-lettered: " + hostile.otherDeadLetters.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))
        }
        return f
    }

    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memKiB = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?.split(separator: "\n").first?
            .split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Double($0) } ?? 0
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(Int((memKiB / 1_048_576).rounded())) GiB"
    }

    private func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

    /// The same figures as Markdown tables (the table printed is this text).
    func markdown() -> String {
        let iso = ISO8601DateFormatter().string(from: date)
        var t = """
        ## \(mode) \(run), \(iso)

        - machine: \(machine); RabbitMQ, PostgreSQL and \(replicas) replica(s) of each of the five services on it
        - command: `\(command)`, seed \(seed)
        - load: \(rate.map { "open loop, \(f($0)) orders/s" } ?? "closed loop, \(inFlight ?? 0) orders in flight")
        - orders: \(placed) placed, \(completed) completed, \(placed - completed) not; measured window \(f(window, 1)) s, wall time \(f(wall, 1)) s
        - **completed orders per second (measured window): \(f(throughput, 1))**
        - per completed order: \(countersValid ? "\(f(messagesConsumed, 1)) messages consumed, \(f(messagesPublished, 1)) published through outboxes, \(f(transactions, 1)) database transactions (services' /metrics)" : "n/a (killed processes take their counters with them)")
        - commands sent again for want of an answer: \(resends); broker reconnects of the driver: \(reconnects)

        | step | orders | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |
        | --- | ---: | ---: | ---: | ---: | ---: | ---: |

        """
        for l in latencies { t += "| \(l.step) | \(l.count) | \(f(l.p50, 1)) | \(f(l.p90, 1)) | \(f(l.p99, 1)) | \(f(l.p999, 1)) | \(f(l.max, 1)) |\n" }
        t += "\n| service | processes | peak RSS MiB | CPU s |\n| --- | ---: | ---: | ---: |\n"
        for u in usage { t += "| \(u.service) | \(u.processes) | \(f(u.peakRSSMiB, 1)) | \(f(u.cpuSeconds, 1)) |\n" }
        t += "\nslowest start to ready: \(f(slowestReady, 2)) s\n"
        if let c = ceilings {
            t += """

            | ceiling (same run, kit-bench) | per second |
            | --- | ---: |
            | confirmed persistent publishes, bare rabbitmq-c | \(f(c.barePublish)) |
            | confirmed persistent publishes, kit | \(f(c.kitPublish)) |
            | consume + transaction + ack, bare | \(f(c.bareConsume)) |
            | consume + transaction + ack, kit | \(f(c.kitConsume)) |
            | single-row commits, libpq | \(f(c.commits)) |

            """
            if let bound { t += "estimated bound for our messages and commits per order: **\(f(bound)) orders/s**; this run: \(f(throughput, 1)) (\(f(throughput / bound * 100, 1)) % of it)\n" }
        }
        t += "\nbooks (through the APIs, \(f(books.seconds, 1)) s): \(books.orders) orders, \(books.completed) completed, \(books.lost) lost, "
            + "\(books.notTerminal) not terminal, doubled effects: \(books.doubled.isEmpty ? "none" : books.doubled.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")), "
            + "trial balance \(books.balanced ? "zero" : "NOT zero \(books.trialBalance)")\n"
        for p in books.problems { t += "- \(p)\n" }
        if !answers.isEmpty { t += "\nanswers other than events: " + answers.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ") + "\n" }
        if mode == "chaos" || kills > 0 {
            t += "\nfaults: \(kills) SIGKILLs; " + (restarts.isEmpty ? "no server restarts" : restarts.joined(separator: "; "))
                + "; unplanned exits: \(unexpectedExits.isEmpty ? "none" : "\(unexpectedExits.count): " + unexpectedExits.prefix(20).joined(separator: ", "))\n"
        }
        if let h = hostile {
            t += "\nhostile messages: \(h.sent) sent (" + h.byKind.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ") + ")\n"
            t += "- dead-lettered with a reason: " + h.deadLettered.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ") + "\n"
            t += "- refused by the broker (403): \(h.brokerRefused); answered but not dead-lettered: \(h.answeredOnly.values.reduce(0, +)); unaccounted: \(h.unaccounted.count); wrong outcome: \(h.wrongOutcome.count)\n"
            t += "- dead letters of other traffic while the run lasted (not counted): \(h.elsewhere)\n"
            t += "- dead letters of the run's own orders (valid traffic): " + (h.otherDeadLetters.isEmpty ? "none" : h.otherDeadLetters.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")) + "\n"
            t += "- hostile dead letters taken out of the services' dead-letter queues afterwards: \(h.removed)" + (h.notRemoved > 0 ? " (\(h.notRemoved) of this run's not found)" : "") + "\n"
        }
        t += "\n" + (failures.isEmpty ? "**PASS**" : "**FAIL**: " + failures.joined(separator: "; ")) + "\n"
        return t
    }

    func table() -> String { "\n" + markdown() }

    /// `<folder>/<date>-<mode>-<run>.json` and `.md`.
    func write(to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
        let base = "\(folder)/\(stamp)-\(mode)-\(run)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        var json = try JSONSerialization.jsonObject(with: encoder.encode(self)) as! [String: Any]
        json["throughput"] = throughput; json["bound"] = bound; json["failures"] = failures
        json["perCompletedOrder"] = ["consumed": messagesConsumed, "published": messagesPublished, "transactions": transactions]
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: base + ".json"))
        try markdown().write(toFile: base + ".md", atomically: true, encoding: .utf8)
        return [base + ".json", base + ".md"]
    }
}
