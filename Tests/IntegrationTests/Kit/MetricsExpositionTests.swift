import Foundation
import ServiceKit
import Testing

/// `/metrics` as Prometheus scrapes it from a real service: valid text exposition, a `# HELP`
/// for every metric family, and the counters and gauges moving as messages flow.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct MetricsExpositionTests {
    struct Exposition {
        var help: [String: String] = [:]
        var type: [String: String] = [:]
        var samples: [(name: String, labels: String, value: Double)] = []

        /// Parses the text format strictly enough that a malformed line fails the test.
        init(_ text: String) throws {
            for line in text.split(separator: "\n").map(String.init) where !line.isEmpty {
                if line.hasPrefix("# HELP ") {
                    let rest = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                    help[String(rest[0])] = rest.count > 1 ? String(rest[1]) : ""
                } else if line.hasPrefix("# TYPE ") {
                    let rest = line.dropFirst(7).split(separator: " ")
                    try #require(rest.count == 2 && ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(rest[1])), "\(line)")
                    type[String(rest[0])] = String(rest[1])
                } else if line.hasPrefix("#") {
                    continue
                } else {
                    let name = String(line.prefix { $0 != "{" && $0 != " " })
                    let labels = line.contains("{") ? String(line[line.firstIndex(of: "{")!...line.lastIndex(of: "}")!]) : ""
                    let value = try #require(Double(line.split(separator: " ").last ?? ""), "not a sample: \(line)")
                    try #require(name.range(of: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", options: .regularExpression) != nil, "bad name: \(line)")
                    samples.append((name, labels, value))
                }
            }
        }

        func family(of sample: String) -> String {
            for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) && type[String(sample.dropLast(suffix.count))] == "histogram" {
                return String(sample.dropLast(suffix.count))
            }
            return sample
        }

        /// The sum of the samples of `name` with all of `labels` (nil when there is none).
        func value(_ name: String, _ labels: String...) -> Double? {
            let matching = samples.filter { $0.name == name && labels.allSatisfy($0.labels.contains) }
            return matching.isEmpty ? nil : matching.map(\.value).reduce(0, +)
        }
    }

    @Test func everyMetricIsDescribedAndTheCountersMoveAsMessagesFlow() async throws {
        let probe = try await Probe.make()
        let port = freePort()
        let service = try await probe.serve(env: ["HTTP_PORT": String(port)])
        try await probe.send((1...5).map { probe.command(seq: $0) } + [probe.command(seq: 6, type: "no.such.type.\(UUID().uuidString)")])
        #expect(try await eventually { try await probe.effects() == 5 })
        _ = try await http("http://127.0.0.1:\(port)/health/ready", as: nil)
        var exposition = try Exposition("")
        let moved = await eventually(timeout: 20) {
            guard let text = try? await http("http://127.0.0.1:\(port)/metrics", as: nil).body, let parsed = try? Exposition(text) else { return false }
            exposition = parsed
            return parsed.value("bizops_messages_total", #"outcome="handled""#) == 5 && parsed.value("bizops_outbox_published_total") ?? 0 >= 5
                && parsed.value("bizops_messages_total", #"outcome="dead_lettered""#) == 1
                && parsed.value("bizops_process_resident_memory_bytes") ?? 0 > 0
        }
        #expect(moved, "handled 5, published 5, memory sampled: \(exposition.samples.filter { $0.name.hasPrefix("bizops") }.map { "\($0.name)\($0.labels) \($0.value)" })")
        #expect(!exposition.samples.isEmpty)
        for family in Set(exposition.samples.map { exposition.family(of: $0.name) }) {
            #expect(exposition.type[family] != nil, "\(family) has a # TYPE")
            #expect(!(exposition.help[family] ?? "").isEmpty, "\(family) has a # HELP line")
        }
        #expect(exposition.value("bizops_process_open_fds") ?? 0 > 0 && exposition.value("bizops_process_cpu_seconds_total") ?? 0 > 0)
        #expect(exposition.value("bizops_outbox_backlog") != nil && exposition.value("bizops_inbox_rows") != nil)
        #expect(exposition.type["bizops_consume_batch_seconds"] == "histogram")
        #expect(exposition.value("bizops_ready") == 1, "ready, as /health/ready says")
        // By message type: the service's own types by name, anything else a sender names as unknown.
        #expect(exposition.value("bizops_messages_total", #"outcome="handled""#, #"type="probe.command.v1""#) == 5)
        #expect(exposition.value("bizops_messages_total", #"outcome="dead_lettered""#, #"type="unknown""#) == 1)
        #expect(!exposition.samples.contains { $0.labels.contains("no.such.type") }, "a sender's type never becomes a label")
        #expect(exposition.value("bizops_handler_seconds_count", #"type="probe.command.v1""#) ?? 0 >= 5)
        #expect(exposition.type["bizops_handler_seconds"] == "histogram")
        #expect(exposition.value("bizops_outbox_published_total", #"type="probe.command.handled.v1""#) ?? 0 >= 5)
        // The database pool and the broker connections.
        #expect(exposition.value("bizops_db_pool_size") ?? 0 >= 1)
        #expect(exposition.value("bizops_db_pool_in_use") != nil && exposition.value("bizops_db_pool_wait_seconds_count") ?? 0 > 0)
        #expect(exposition.value("bizops_amqp_connected", #"consumer""#) == 1)
        #expect(exposition.value("bizops_amqp_connects_total", #"consumer""#) ?? 0 >= 1)
        // The catalog the dashboards and alerts are checked against names what is really exported;
        // these appear only with their traffic (a refusal, a return, sales' sweeper and orders, an HTTP error).
        let needTraffic: Set<String> = ["bizops_refusals_total", "bizops_outbox_returned_total", "bizops_unrouted_commands_total",
                                        "bizops_unrouted_events_total", "bizops_orders", "bizops_orders_stuck", "hb_request_errors",
                                        // the departments' own gauges (finance, customer service, risk)
                                        "bizops_invoices", "bizops_invoices_overdue", "bizops_complaints", "bizops_complaints_late",
                                        "bizops_credit_holds", "bizops_orders_held_for_review",
                                        "bizops_amqp_blocked_seconds_total"]  // once a block ended
        let families = Set(exposition.samples.map { exposition.family(of: $0.name) })
        for name in Set(MetricHelp.texts.keys).subtracting(needTraffic) { #expect(families.contains(name), "\(name) is exported") }
        await service.stop()
        // Started again: the types it published lately are counted from 0 at once, so `increase`
        // sees the first of them after the restart.
        let again = try await probe.serve(env: ["HTTP_PORT": String(port)])
        var published: Double?
        _ = await eventually(timeout: 10) {
            let text = (try? await http("http://127.0.0.1:\(port)/metrics", as: nil).body) ?? ""
            published = (try? Exposition(text))?.value("bizops_outbox_published_total", #"type="probe.command.handled.v1""#)
            return published != nil
        }
        let seen: String = published.map { "\($0)" } ?? "absent"
        #expect(published == 0, "the series is there at 0 before anything is published: \(seen)")
        await again.stop()
        await probe.cleanUp()
    }
}
