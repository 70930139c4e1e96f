import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit
import Storage

// A small real service for the integration tests: they start it, kill it with SIGKILL and
// start it again. Its id (queue and schema) comes from PROBE_ID.
//   kit-probe serve            consume `<id>.command` commands, emit `<id>.command.handled`
//   kit-probe commit-events N  commit N events to the outbox, print "PROBE committed", wait
//   kit-probe migrate          apply the probe's migrations and print what it applied
// PROBE_PAUSE_AFTER_COMMIT=1 makes `serve` print "PROBE committed" after its first batch
// committed and then wait, before acknowledging anything.

let id = ProcessInfo.processInfo.environment["PROBE_ID"] ?? "kitprobe"

let migrations = [
    Migration(100, "probe effects", """
        CREATE TABLE effects (message_id uuid PRIMARY KEY, seq bigint NOT NULL, handled_at timestamptz NOT NULL DEFAULT now());
        """),
    Migration(101, "slow migration", "SELECT pg_sleep(0.3); CREATE TABLE migration_runs (n integer); INSERT INTO migration_runs VALUES (1);"),
    Migration(102, "state a command may wait for", "CREATE TABLE ready (seq bigint PRIMARY KEY);"),
]

/// The probe's one capability: its command, acting out what each test asks of a handler.
struct ProbeCommands: Capability {
    let id: String
    func handle(_ handlers: inout HandlerRegistry) {
        let id = self.id
        handlers.on(ProbeCommand.self, boundTo: .command("\(id).command")) { command, work in
            switch command.action {
            case "reject": throw Poison(.unknown("probe-rejected"), "seq \(command.seq) asked to be rejected")
            case "refuse": throw Refusal(.unknown("probe-refused"), "seq \(command.seq) asked to be refused")
            case "transient": throw RetryLater("seq \(command.seq) is never ready")
            case "slow": try work.transaction.execute("SELECT pg_sleep(2)")
            case "until-ready":
                // Fails as worth retrying until the test writes the row (a cause a person fixes).
                if try work.transaction.query("SELECT 1 FROM ready WHERE seq = $1", [.int(command.seq)]).isEmpty {
                    throw RetryLater("seq \(command.seq) needs its row in ready")
                }
            case "await":
                // Waits for a row the test writes into `ready` (state that is on its way).
                if try work.transaction.query("SELECT 1 FROM ready WHERE seq = $1", [.int(command.seq)]).isEmpty {
                    throw Refusal(.unknown("probe-not-ready"), "seq \(command.seq) is not ready yet", waitsForState: true)
                }
            default: break
            }
            try work.transaction.execute("INSERT INTO effects (message_id, seq) VALUES ($1, $2)",
                                            [.text(work.cause.id), .int(command.seq)])
            try work.publish(ProbeHandled(seq: command.seq), routingKey: "\(id).command.handled")
        }
    }
}

let spec = ServiceSpec(id: id, defaultPort: 18_099, migrations: migrations, capabilities: [ProbeCommands(id: id)])

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Parks until the task is cancelled (a shutdown past SHUTDOWN_TIMEOUT_SECONDS cancels it).
func parkForever() async {
    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first ?? "serve" {
case "serve":
    var hooks = ConsumerHooks()
    if ProcessInfo.processInfo.environment["PROBE_PAUSE_AFTER_COMMIT"] == "1" {
        hooks.afterCommit = { batch in
            say("PROBE committed \(batch.count)")
            await parkForever()
        }
    }
    await ServiceMain.run(spec, hooks: hooks)
case "commit-events":
    let count = Int(arguments.dropFirst().first ?? "1") ?? 1
    let config = try ServiceConfig.fromEnvironment(defaultPort: 0)
    let pool = PostgresPool(DatabaseConfig(url: config.databaseURL, schema: spec.schema, poolSize: 1))
    try await Migrator.apply(MessagingMigrations.all(schema: spec.schema) + migrations, pool: pool, logger: Logger(label: "probe"))
    try await pool.transaction { tx in
        let outbox = OutboxWriter(source: id, transaction: tx)
        for seq in 0..<count {
            try outbox.publish(ProbeHandled(seq: Int64(seq)), routingKey: "\(id).command.handled", correlationId: "probe-\(seq)")
        }
    }
    say("PROBE committed \(count)")
    await parkForever()
case "migrate":
    let config = try ServiceConfig.fromEnvironment(defaultPort: 0)
    let pool = PostgresPool(DatabaseConfig(url: config.databaseURL, schema: spec.schema, poolSize: 1))
    let applied = try await Migrator.apply(MessagingMigrations.all(schema: spec.schema) + migrations, pool: pool,
                                           logger: Logger(label: "probe"))
    say("PROBE applied \(applied.map(String.init).joined(separator: ","))")
default:
    FileHandle.standardError.write(Data("usage: kit-probe serve | commit-events N | migrate\n".utf8))
    exit(64)
}
