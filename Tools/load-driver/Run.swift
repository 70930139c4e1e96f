import Foundation
import Messaging
import ServiceKit
import Synchronization

/// One run of the driver, from an empty fleet to the report.
struct Run {
    let options: RunOptions
    let faults: FaultOptions?

    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func execute() async throws -> Int32 {
        let run = String(UInt32(Date().timeIntervalSince1970) & 0xFF_FFFF, radix: 36)
        let started = Date()
        let mode = faults == nil ? "bench" : "chaos"
        say("load-driver \(mode): run \(run), seed \(options.seed), \(options.replicas) replica(s) of every service, "
            + (options.rate.map { "open loop at \($0) orders/s" } ?? "closed loop, \(options.inFlight) in flight")
            + ", " + [options.duration.map { "\(Int($0)) s" }, options.orders.map { "\($0) orders" }].compactMap { $0 }.joined(separator: " or ")
            + " after \(Int(options.warmup)) s of warm-up")

        var ceilings: Ceilings?
        if !options.noCeilings {
            say("ceilings: kit-bench, \(options.ceilingMessages) messages per loop, before the services start …")
            ceilings = try await Ceilings.measure(binDir: options.binDir, messages: options.ceilingMessages)
        }

        try await tool(["provision", "--systems", "deploy/outside-systems.txt"], env: ["BIZCTL_AMQP_URL": "amqp://bizops:bizops-dev@127.0.0.1:5672/bizops"])
        try await tool(["keys", "init", "--keys", ".local/auth"])
        let fleet = Fleet(services: try ServiceEntry.load(), replicas: options.replicas, binDir: options.binDir)
        // Interrupted (Ctrl-C, a CI timeout): the services go with the driver.
        let signals = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { fleet.terminateNow(); exit(130) }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            return try await measure(run: run, started: started, mode: mode, ceilings: ceilings, fleet: fleet)
        } catch {
            // No service and no observer queue outlives a failed run.
            await fleet.stopAll()
            await Bus.removeObserver(run: run)
            await DeadLetterCapture.remove(DeadLetterCapture.queueName(run: run))
            throw error
        }
    }

    private func measure(run: String, started: Date, mode: String, ceilings: Ceilings?, fleet: Fleet) async throws -> Int32 {
        try await fleet.startAll()
        say("services: \(fleet.slots.count) processes ready; slowest start to ready \(String(format: "%.2f", fleet.slowestReady)) s")
        let ports: @Sendable (String) -> [Int] = { id in fleet.ports(of: id) }

        let people = try DirectoryPerson.load(URL(fileURLWithPath: "deploy/demo/people.json"))
        let issuer = try LocalIssuer.prepare(URL(fileURLWithPath: ".local/auth"))
        var tokens: [String: String] = [:]
        for id in DataSet.people {
            guard let person = people.first(where: { $0.id == id }) else { throw DriverError("\(id) is not in deploy/demo/people.json") }
            tokens[id] = try await issuer.token(for: person, lifetime: 12 * 3600)
        }
        let api = HTTP(tokens: tokens)
        let data = DataSet(run: run, options: options)
        try await data.create(api: api, ports: ports, log: say)

        let bus = try Bus(run: run)
        try await bus.provision()
        let flow = Flow(run: run, data: data, seed: options.seed, resendAfter: options.resendAfter)
        var tasks: [Task<Void, Never>] = []
        tasks.append(bus.read(bus.observer, as: "webshop") { await flow.events($0) })
        for system in Bus.systems { tasks.append(bus.read("\(system).replies", as: system) { await flow.answers($0) }) }
        for system in Bus.systems {
            tasks.append(Task {
                while !Task.isCancelled {
                    let batch = await flow.take(system, max: 500)
                    if batch.isEmpty { try? await Task.sleep(for: .milliseconds(2)); continue }
                    guard let outcomes = await bus.publish(system, batch) else {
                        await flow.putBack(system, batch)
                        try? await Task.sleep(for: .milliseconds(500))
                        continue
                    }
                    let again = zip(batch, outcomes).filter { $0.1 == .nacked }.map(\.0)
                    if !again.isEmpty { await flow.putBack(system, again) }
                }
            })
        }
        tasks.append(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                await flow.resendOverdue()
                fleet.sample()
            }
        })

        let before = await Counters.scrape(fleet)
        let t0 = ContinuousClock.now
        let measureFrom = t0 + .milliseconds(Int(options.warmup * 1000))
        await flow.setWindow(from: measureFrom)
        let placeUntil = options.duration.map { measureFrom + .milliseconds(Int($0 * 1000)) }
        let target = options.orders

        // Faults, while the orders are being placed.
        let chaos = faults.map { Faults(options: $0, seed: options.seed, fleet: fleet, say: say) }
        let hostile = try faults.map { f in
            try Hostile(run: run, services: fleet.slots.map(\.service.id), keepDeadLetters: f.keepDeadLetters, logger: bus.logger)
        }
        try await hostile?.capture.provision()
        let progress = Progress(quiet: options.quiet, total: target, duration: target == nil ? options.duration.map { $0 + options.warmup } : nil)
        let placed = Once(), drained = Once()
        let placing = Task { await place(flow: flow, t0: t0, measureFrom: measureFrom, until: placeUntil, target: target); placed.set() }
        let faultTask = Task {
            guard let chaos else { return }
            await chaos.run(until: drained, fraction: {
                let placed = Double(await flow.placed)
                var f = 0.0
                if let target { f = max(f, placed / Double(target)) }
                if let placeUntil { f = max(f, 1 - Double((placeUntil - .now).components.seconds) / max(1, options.duration! + options.warmup)) }
                return f
            })
        }
        let hostileTask = Task {
            guard let hostile, let rate = faults?.hostileRate, rate > 0 else { return }
            var n = 0
            let start = ContinuousClock.now
            while !placed.isSet {
                await hostile.send(n); n += 1
                let due = start + .microseconds(Int(Double(n) / rate * 1_000_000))
                if due > .now { try? await Task.sleep(until: due) }
            }
        }
        while !placed.isSet {
            try? await Task.sleep(for: .milliseconds(500))
            await progress.show(flow, since: t0)
        }
        await placing.value
        await flow.endWindow()
        let placedAt = ContinuousClock.now
        await hostileTask.value

        // Drain: every order finishes, or nothing moves for the drain timeout.
        var lastDone = -1, lastMove = ContinuousClock.now
        while true {
            let open = await flow.inFlight
            // The faults go on while orders are open, and the restarts happen whatever the pace.
            if open == 0 && (chaos?.restartsDone ?? true) { break }
            let done = await flow.completed
            if done != lastDone { lastDone = done; lastMove = .now }
            if ContinuousClock.now - lastMove > .seconds(options.drainTimeout) { break }
            try? await Task.sleep(for: .milliseconds(500))
            await progress.show(flow, since: t0)
        }
        progress.finish()
        drained.set()
        await faultTask.value
        if faults != nil { try await fleet.reviveDead() }
        let drainedAt = ContinuousClock.now
        // Quiet before the books: nothing left in the services' queues or retry queues (a late
        // duplicate would land there), three seconds running.
        var quietFor = 0, quiet = false
        let quietDeadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < quietDeadline {
            let backlog = (try? await Management.backlog(services: fleet.slots.map(\.service.id))) ?? -1
            quietFor = backlog == 0 ? quietFor + 1 : 0
            if quietFor >= 3 { quiet = true; break }
            try? await Task.sleep(for: .seconds(1))
        }
        let after = await Counters.scrape(fleet)
        let usage = fleet.usage()

        say("checking the books through the APIs …")
        let orders = await flow.snapshot()
        var books = try await Books.check(orders, data: data, api: api, ports: ports)
        for (what, n) in await flow.doubledOnBus { books.doubled["\(what) (bus)", default: 0] += n }
        var tally: Hostile.Tally?
        if let hostile {
            try? await Task.sleep(for: .seconds(3))  // the last hostile messages reach their dead-letter queues
            var counted = try await hostile.tally(answers: await flow.hostileAnswers)
            await hostile.cleanUp(&counted)
            tally = counted
            await hostile.close()
        }
        for task in tasks { task.cancel() }
        let exits = fleet.unexpectedExits
        await fleet.stopAll()
        await Bus.removeObserver(run: run)
        await bus.close()

        let report = await Report(
            mode: mode, run: run, seed: options.seed, date: started, machine: Report.machine(), command: CommandLine.arguments.joined(separator: " "),
            replicas: options.replicas, rate: options.rate, inFlight: options.rate == nil ? options.inFlight : nil,
            placed: flow.placed, completed: flow.completed, failed: flow.failed, stuck: flow.stuck,
            window: seconds(measureFrom, await flow.measureUntil ?? placedAt), completedInWindow: flow.completedInWindow,
            wall: seconds(t0, drainedAt), resends: flow.resends, answers: flow.answers,
            latencies: [("place → accepted", flow.placeAccepted), ("accepted → reserved", flow.acceptedReserved),
                        ("deliver → invoiced", flow.deliverInvoiced), ("pay → completed", flow.payCompleted),
                        ("place → completed", flow.placeCompleted)].map { Report.Percentiles($0.0, $0.1) },
            usage: usage, slowestReady: fleet.slowestReady, perOrder: after - before, ceilings: ceilings, books: books,
            kills: fleet.kills, restarts: chaos?.restarts ?? [], unexpectedExits: exits, hostile: tally,
            reconnects: bus.reconnects, quiet: quiet, faultsMissing: chaos?.missing ?? [])
        say(report.table())
        let paths = try report.write(to: options.results)
        say("results: \(paths.joined(separator: ", "))")
        if report.failures.isEmpty { say("PASS"); return 0 }
        say("FAIL: " + report.failures.joined(separator: "; "))
        return 1
    }

    private func place(flow: Flow, t0: ContinuousClock.Instant, measureFrom: ContinuousClock.Instant,
                       until: ContinuousClock.Instant?, target: Int?) async {
        var n = 0
        func more() -> Bool { (until.map { ContinuousClock.now < $0 } ?? true) && (target.map { n < $0 } ?? true) }
        while more() {
            if let rate = options.rate {
                // Open loop: every order at its due time, stamped with it (no coordinated omission).
                let now = ContinuousClock.now
                while more(), t0 + .microseconds(Int(Double(n) / rate * 1_000_000)) <= now {
                    await flow.place(at: t0 + .microseconds(Int(Double(n) / rate * 1_000_000))); n += 1
                }
                try? await Task.sleep(for: .milliseconds(2))
            } else {
                let open = await flow.inFlight
                if open < options.inFlight {
                    for _ in 0..<(options.inFlight - open) where more() { await flow.place(at: .now); n += 1 }
                }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    private func tool(_ arguments: [String], env: [String: String] = [:]) async throws {
        let status = try await Child.run("\(options.binDir)/bizctl", arguments,
                                         environment: ProcessInfo.processInfo.environment.merging(env) { $1 })
        guard status == 0 else { throw DriverError("bizctl \(arguments.first ?? "") failed (exit \(status))") }
    }
}

/// Set once, read by any task.
final class Once: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

func seconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
    let d = (to - from).components
    return Double(d.seconds) + Double(d.attoseconds) / 1e18
}
