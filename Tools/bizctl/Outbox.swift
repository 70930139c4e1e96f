import ArgumentParser
import Foundation
import Messaging
import Storage

/// Each service's outbox: what it has committed but not yet published, and how long the oldest
/// has waited. A backlog that only grows means the relay cannot reach the broker.
struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each service's outbox backlog and the age of its oldest unsent row; exit 1 if one is older than --max-age.")

    @Option(help: "The database, as a role that may read the services' schemas (default: BIZCTL_DATABASE_URL or the local postgresql://bizops@127.0.0.1:5432/bizops).")
    var databaseURL: String?

    @Option(name: .customLong("service"), help: "Only these services (repeatable; default: the five).")
    var services: [String] = []

    @Option(help: "Seconds the oldest unsent row may wait before it is a problem.")
    var maxAge: Double = 60

    @Flag(help: "Print JSON for machines.")
    var json = false

    struct Row: Encodable { let service: String; let unsent: Int64; let oldestSeconds: Double?; let lastSentAt: Date?; let problem: String? }

    func run() async throws {
        let url = databaseURL ?? ProcessInfo.processInfo.environment["BIZCTL_DATABASE_URL"]
            ?? "postgresql://bizops:bizops-dev@127.0.0.1:5432/bizops?sslmode=disable"
        let ids = services.isEmpty ? Provision.specs.map(\.id) : services
        var rows: [Row] = []
        for id in ids {
            let schema = id.replacingOccurrences(of: "-", with: "_")
            let pool = PostgresPool(DatabaseConfig(url: url, schema: schema, poolSize: 1, applicationName: "bizctl outbox"))
            do {
                let backlog = try await pool.run { try OutboxStore($0).backlog() }
                let oldest = backlog.oldestSeconds
                rows.append(Row(service: id, unsent: backlog.unsent, oldestSeconds: oldest, lastSentAt: backlog.lastSentAt,
                                problem: (oldest ?? 0) > maxAge ? "oldest unsent row waits \(Int(oldest ?? 0)) s (more than \(Int(maxAge)) s)" : nil))
            } catch {
                rows.append(Row(service: id, unsent: 0, oldestSeconds: nil, lastSentAt: nil, problem: "cannot read its outbox: \(error)"))
            }
        }
        if json {
            print(try Terminal.json(rows))
        } else {
            print(Terminal.table(["service", "unsent", "oldest", "last sent", ""], rows.map { r in
                [r.service, String(r.unsent), r.oldestSeconds.map { String(format: "%.1f s", $0) } ?? "-",
                 r.lastSentAt.map { $0.formatted(.iso8601) } ?? "-", r.problem.map { Terminal.red($0) } ?? ""]
            }))
        }
        if rows.contains(where: { $0.problem != nil }) { throw ExitCode(1) }
    }
}
