import Foundation
import ServiceKit
import Testing

/// deploy/observability as Prometheus and Grafana would load it: the alert rules pass
/// `promtool check rules` and their own `promtool test rules`, every dashboard query parses,
/// and rules and dashboards use only metric names that are exported: the services' (each with
/// its `# HELP`, `MetricHelp`) and those the running broker's rabbitmq_prometheus serves.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct ObservabilityTests {
    static let folder = TestServers.repoRoot.appendingPathComponent("deploy/observability")

    func promtool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let tool = try #require(path, "promtool is missing: apt-get install prometheus (deploy/local/infra.sh installs it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = Self.folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The PromQL expressions of the alert rules and of every dashboard panel.
    func expressions() throws -> (rules: [String], dashboards: [String]) {
        let rules = try String(contentsOf: Self.folder.appendingPathComponent("alerts.yml"), encoding: .utf8)
            .split(separator: "\n").compactMap { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces)
                return text.hasPrefix("expr: ") ? String(text.dropFirst(6)) : nil
            }
        var dashboards: [String] = []
        let grafana = Self.folder.appendingPathComponent("grafana")
        for file in try FileManager.default.contentsOfDirectory(atPath: grafana.path) where file.hasSuffix(".json") {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: grafana.appendingPathComponent(file))) as? [String: Any]
            for panel in json?["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] { if let expr = target["expr"] as? String { dashboards.append(expr) } }
            }
        }
        return (rules, dashboards)
    }

    /// The metric names a PromQL expression reads: identifiers outside label matchers, strings
    /// and ranges, that are neither functions nor keywords.
    static func metricNames(_ expr: String) -> Set<String> {
        var text = expr
        for pattern in [#"\{[^}]*\}"#, #""[^"]*""#, #"\[[^\]]*\]"#, #"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let keywords: Set<String> = ["and", "or", "unless", "by", "without", "on", "ignoring", "bool", "offset"]
        var names = Set<String>()
        let regex = try! NSRegularExpression(pattern: #"[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?"#)
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let token = String(text[Range(match.range, in: text)!])
            if token.hasSuffix("(") || keywords.contains(token) { continue }
            names.insert(token)
        }
        return names
    }

    /// The operators' metric table says what each metric's `# HELP` line says, and lists them all.
    @Test func theOperationsGuideListsEveryMetricWithItsHelp() throws {
        let guide = try String(contentsOf: TestServers.repoRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        for (name, help) in MetricHelp.texts {
            #expect(guide.contains("| `\(name)` | \(help) |"), "docs/operations.md lists \(name) with its help text")
        }
    }

    @Test func alertRulesPassPromtoolAndTheirOwnTests() throws {
        let check = try promtool(["check", "rules", "alerts.yml"])
        #expect(check.status == 0, "\(check.output)")
        let tests = try promtool(["test", "rules", "alerts.test.yml"])
        #expect(tests.status == 0 && tests.output.contains("SUCCESS"), "\(tests.output)")
        let config = try promtool(["check", "config", "--syntax-only", "prometheus.yml"])
        #expect(config.status == 0, "\(config.output)")
    }

    @Test func everyDashboardQueryParsesAndEveryNameUsedIsExported() async throws {
        let (rules, dashboards) = try expressions()
        #expect(rules.count >= 6 && dashboards.count >= 15)
        // Each panel's query, as a recording rule, through promtool's parser.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-dashboard-queries-\(UUID()).yml")
        defer { try? FileManager.default.removeItem(at: file) }
        let yaml = "groups:\n  - name: dashboards\n    rules:\n" + dashboards.enumerated().map { i, expr in
            "      - record: dashboard:query_\(i)\n        expr: '\(expr.replacingOccurrences(of: "'", with: "''"))'\n"
        }.joined()
        try Data(yaml.utf8).write(to: file)
        let parsed = try promtool(["check", "rules", file.path])
        #expect(parsed.status == 0, "\(parsed.output)")
        // The broker's own names, from the running broker.
        let broker = try await http("http://127.0.0.1:15692/metrics/per-object", as: nil)
        #expect(broker.status == 200, "rabbitmq_prometheus serves /metrics/per-object (deploy/local/infra.sh enables it)")
        let brokerNames = Set(broker.body.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        let ours = Set(MetricHelp.texts.keys)
        func exported(_ name: String) -> Bool {
            if name == "up" || brokerNames.contains(name) { return true }
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && ours.contains(String(name.dropLast(suffix.count))) { return true }
            return ours.contains(name)
        }
        for expr in rules + dashboards {
            let names = Self.metricNames(expr)
            #expect(!names.isEmpty, "\(expr) reads a metric")
            for name in names { #expect(exported(name), "\(name) (in \(expr)) is not exported") }
        }
    }
}
