import Foundation
import Synchronization

/// The fault run's faults while the orders are placed: a random service process SIGKILLed every
/// `killEvery` seconds and started again, RabbitMQ restarted once (a third of the way through)
/// and PostgreSQL once (two thirds), both with the project's own scripts.
final class Faults: Sendable {
    let options: FaultOptions
    let fleet: Fleet
    private let random: Mutex<SeededRandom>
    private let log: Mutex<[String]> = Mutex([])
    private let say: @Sendable (String) -> Void

    init(options: FaultOptions, seed: UInt64, fleet: Fleet, say: @escaping @Sendable (String) -> Void) {
        self.options = options; self.fleet = fleet; self.say = say
        random = Mutex(SeededRandom(seed: seed ^ 0xC4A05))
    }

    var restarts: [String] { log.withLock { $0 } }
    private let failed = Mutex<[String]>([])
    /// The faults asked for that did not happen: a server restart that failed, no kill at all.
    var missing: [String] {
        var m = failed.withLock { $0 }
        if !restartsDone { m.append("a server restart did not happen") }
        if options.killEvery > 0 && fleet.kills == 0 { m.append("no process was killed") }
        return m
    }
    private let pendingRestarts = Atomic<Int>(2)
    /// Both server restarts (those asked for) are behind us.
    var restartsDone: Bool { pendingRestarts.load(ordering: .acquiring) == 0 }

    func run(until done: Once, fraction: @escaping @Sendable () async -> Double) async {
        var brokerDone = options.noBrokerRestart, databaseDone = options.noDatabaseRestart
        pendingRestarts.store((brokerDone ? 0 : 1) + (databaseDone ? 0 : 1), ordering: .releasing)
        var nextKill = ContinuousClock.now + .milliseconds(Int(options.killEvery * 1000))
        while !done.isSet {
            let f = await fraction()
            if !brokerDone, f >= 1.0 / 3 { brokerDone = true; await restart("rabbitmq") }
            if !databaseDone, f >= 2.0 / 3 { databaseDone = true; await restart("postgres") }
            if options.killEvery > 0, ContinuousClock.now >= nextKill {
                nextKill = ContinuousClock.now + .milliseconds(Int(options.killEvery * 1000))
                let index = random.withLock { Int.random(in: 0..<fleet.slots.count, using: &$0) }
                let pause = random.withLock { Int.random(in: 200...1500, using: &$0) }
                do { try await fleet.kill(index, restartAfter: .milliseconds(pause)) } catch { say("chaos: \(error)") }
            }
            try? await fleet.reviveDead()
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// `deploy/local/infra.sh restart-<server>`, timed.
    private func restart(_ server: String) async {
        let start = ContinuousClock.now
        var line: String
        do {
            let status = try await Child.run("/bin/bash", ["deploy/local/infra.sh", "restart-\(server)"], log: ".local/logs/load-driver-infra.log")
            line = "\(server) restarted in \(String(format: "%.1f", seconds(start, .now))) s" + (status == 0 ? "" : " (infra.sh exit \(status))")
            if status != 0 { failed.withLock { $0.append("\(server) restart failed (infra.sh exit \(status), see .local/logs/load-driver-infra.log)") } }
        } catch {
            line = "\(server): could not run infra.sh: \(error)"
            failed.withLock { $0.append(line) }
        }
        say("chaos: \(line)")
        log.withLock { $0.append(line) }
        pendingRestarts.subtract(1, ordering: .acquiringAndReleasing)
    }
}

/// A progress line redrawn in place on a terminal; when piped (CI logs), a plain line every 10 s;
/// none with --quiet.
final class Progress: Sendable {
    let enabled: Bool, terminal: Bool
    let total: Int?
    let duration: Double?   // warm-up and measured seconds, when the run is timed
    private let lastLine = Mutex<ContinuousClock.Instant>(.now)
    init(quiet: Bool, total: Int?, duration: Double?) { terminal = isatty(1) == 1; enabled = !quiet; self.total = total; self.duration = duration }

    func show(_ flow: Flow, since t0: ContinuousClock.Instant) async {
        guard enabled else { return }
        if !terminal {
            let due = lastLine.withLock { last in
                guard ContinuousClock.now - last >= .seconds(10) else { return false }
                last = .now
                return true
            }
            guard due else { return }
        }
        let placed = await flow.placed, done = await flow.completed, open = await flow.inFlight
        let elapsed = seconds(t0, .now)
        var bar = ""
        if let fraction = total.map({ Double(done) / Double(max(1, $0)) }) ?? duration.map({ min(1, elapsed / $0) }) {
            let filled = min(30, Int(fraction * 30))
            bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
        }
        let line = String(format: "%@placed %d  completed %d  in flight %d  %.0f s  %.0f completed/s", bar, placed, done, open, elapsed,
                          Double(done) / max(elapsed, 0.001))
        let queued = await flow.queued, unanswered = await flow.unanswered
        FileHandle.standardOutput.write(Data(((terminal ? "\r\u{1B}[K" : "") + line + (terminal ? "" : "  (to send \(queued), unanswered \(unanswered))\n")).utf8))
    }

    func finish() { if enabled && terminal { FileHandle.standardOutput.write(Data("\n".utf8)) } }
}
