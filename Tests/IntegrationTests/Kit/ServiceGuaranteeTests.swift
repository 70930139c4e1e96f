import Foundation
import Messaging
import Storage
import Testing

/// The kit's guarantees, proven with real processes (the kit-probe service) against the
/// real broker and database.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct ServiceGuaranteeTests {
    @Test func handlesCommandsEmitsEventsAndStopsCleanly() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        try await probe.send((0..<300).map { probe.command(seq: $0) })
        #expect(try await eventually { try await probe.effects() == 300 })
        let events = try await probe.drain(probe.observer, expected: 300)
        #expect(events.count == 300)
        #expect(Set(events.map(\.properties.correlationId)).count == 300)
        let sample = try #require(events.first)
        #expect(sample.properties.type == "probe.command.handled.v1")
        #expect(sample.properties.appId == probe.id)
        #expect(sample.properties.headers["causation_id"] != nil)
        #expect(try await eventually { try await probe.count("outbox", "sent_at IS NULL") == 0 })
        service.signal(SIGTERM)
        #expect(await service.waitExit() == 0)
        #expect(service.text.contains("stopped cleanly"), "\(service.text.suffix(2000))")
        #expect(try await probe.queueDepth(probe.id) == 0)
        await probe.cleanUp()
    }

    @Test func healthAndMetricsEndpoints() async throws {
        let probe = try await Probe.make()
        let port = String(freePort())
        let service = try await probe.serve(env: ["HTTP_PORT": port])
        try await probe.send([probe.command(seq: 1)])
        #expect(try await eventually { try await probe.effects() == 1 })
        let live = try await http("http://127.0.0.1:\(port)/health/live")
        #expect(live.status == 200)
        let ready = try await http("http://127.0.0.1:\(port)/health/ready")
        #expect(ready.status == 200)
        #expect(ready.body.contains(#""database":true"#) && ready.body.contains(#""broker":true"#))
        let metrics = try await http("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.body.contains("bizops_messages_total"))
        #expect(metrics.body.contains(#"outcome="handled""#))
        await service.stop()
        await probe.cleanUp()
    }

    @Test func sameMessageTwiceHasOneEffect() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        let id = UUID().uuidString
        // Twice in one batch, then once more later.
        try await probe.send([probe.command(seq: 1, messageId: id), probe.command(seq: 1, messageId: id)])
        #expect(try await eventually { try await probe.effects() == 1 })
        try await probe.send([probe.command(seq: 1, messageId: id), probe.command(seq: 2)])
        #expect(try await eventually { try await probe.effects() == 2 })
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await probe.effects() == 2)
        #expect(try await probe.count("effects", "seq = 1") == 1)
        let events = try await probe.drain(probe.observer, expected: 2)
        #expect(events.count == 2)
        // Sent once more, now asking for an answer the first copies never asked for: told it was handled.
        let replies = "test.\(probe.id).replies"
        try await AMQPClient(config: TestServers.amqp).declareDurableQueue(replies, bindings: TestBus.replyBindings(replies))
        try await probe.send([probe.command(seq: 1, messageId: id, replyTo: replies)])
        let answer = try #require(try await probe.drain(replies, expected: 1).first)
        let outcome = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        #expect(outcome?["outcome"] as? String == "unchanged" && outcome?["reasonCode"] as? String == "already-handled")
        #expect(answer.properties.headers["causation_id"]?.description == id.lowercased())
        #expect(try await probe.effects() == 2)
        await service.stop()
        await probe.cleanUp()
    }

    /// Killed after the transaction committed, before the ack: the broker redelivers, the
    /// inbox recognises the message, nothing happens twice, and it is acknowledged.
    @Test func redeliveryAfterCrashBetweenCommitAndAck() async throws {
        let probe = try await Probe.make()
        let first = try await probe.serve(env: ["PROBE_PAUSE_AFTER_COMMIT": "1"])
        try await probe.send([probe.command(seq: 1)])
        try await first.waitFor("PROBE committed")
        first.signal(SIGKILL)
        #expect(await first.waitExit() != nil)
        #expect(try await probe.effects() == 1)
        let second = try await probe.serve()
        #expect(try await eventually { try await probe.queueDepth(probe.id) == 0 })
        try await Task.sleep(for: .seconds(1))
        await second.stop()
        #expect(try await probe.effects() == 1)
        #expect(try await probe.count("inbox") == 1)
        #expect(try await probe.queueDepth(probe.id) == 0, "the redelivered message was not acknowledged")
        let events = try await probe.drain(probe.observer, expected: 1)
        #expect(Set(events.map(\.properties.messageId)).count == 1, "one event, possibly published twice, never two events")
        await probe.cleanUp()
    }

    /// Killed after committing outbox rows and before any relay ran: a restart publishes them.
    @Test func noLossWhenKilledBeforeTheRelayPublished() async throws {
        let probe = try await Probe.make()
        let writer = try probe.start(["commit-events", "5"])
        try await writer.waitFor("PROBE committed 5")
        writer.signal(SIGKILL)
        _ = await writer.waitExit()
        #expect(try await probe.count("outbox", "sent_at IS NULL") == 5)
        #expect(try await probe.queueDepth(probe.observer) == 0)
        let service = try await probe.serve()
        let events = try await probe.drain(probe.observer, expected: 5)
        #expect(events.count == 5)
        #expect(Set(events.compactMap(\.properties.correlationId)) == Set((0..<5).map { "probe-\($0)" }))
        #expect(try await eventually { try await probe.count("outbox", "sent_at IS NULL") == 0 })
        await service.stop()
        await probe.cleanUp()
    }

    @Test func poisonMessagesAreDeadLetteredWithAReasonAndTheQueueMovesOn() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        let bad: [(OutgoingMessage, String)] = [
            (probe.command(seq: 0, body: "{not json"), "malformed-json"),
            (probe.command(seq: 0, type: "probe.unknown.v1"), "unknown-type"),
            (probe.command(seq: 0, body: #"{"action":"x"}"#), "invalid-field"),
            (probe.command(seq: 0, body: #"{"seq":"seven"}"#), "invalid-field"),
            (probe.command(seq: 0, messageId: "not-a-uuid"), "invalid-envelope"),
            (probe.command(seq: 99, action: "reject"), "probe-rejected"),
        ]
        var messages: [OutgoingMessage] = []
        for (index, (message, _)) in bad.enumerated() {
            messages.append(message)
            messages.append(probe.command(seq: index + 1))
        }
        try await probe.send(messages)
        #expect(try await eventually { try await probe.effects() == Int64(bad.count) })
        let dead = try await probe.drain("\(probe.id).dead", expected: bad.count)
        #expect(dead.count == bad.count)
        let reasons = dead.compactMap { $0.properties.headers["x-dead-letter-reason"]?.description }.sorted()
        #expect(reasons == bad.map(\.1).sorted())
        let missing = try #require(dead.first { $0.body == Data(#"{"action":"x"}"#.utf8) })
        #expect(missing.properties.headers["x-dead-letter-error"]?.description.contains("seq") == true)
        #expect(missing.properties.headers["x-original-routing-key"] == .string("\(probe.id).command"))
        #expect(missing.properties.correlationId == "order-0")
        #expect(service.isRunning)
        await service.stop()
        await probe.cleanUp()
    }

    @Test func aFailureThatOutlastsTheRetriesIsDeadLetteredAndTheSenderHearsWhy() async throws {
        let probe = try await Probe.make()
        let port = String(freePort())
        let service = try await probe.serve(env: ["MAX_RETRIES": "1", "HTTP_PORT": port])
        let replies = "test.\(probe.id).replies"
        try await AMQPClient(config: TestServers.amqp).declareDurableQueue(replies, bindings: TestBus.replyBindings(replies))
        let doomed = probe.command(seq: 100, action: "transient", replyTo: replies)
        try await probe.send((1...10).map { probe.command(seq: $0) } + [doomed] + (11...20).map { probe.command(seq: $0) })
        // One retry (the 1 s queue), then the dead letter; only the failing command.
        let deadLetters = try await probe.drain("\(probe.id).dead", expected: 1)
        #expect(deadLetters.count == 1)
        let dead = try #require(deadLetters.first)
        #expect(dead.properties.messageId == doomed.properties.messageId)
        #expect(dead.properties.headers["x-dead-letter-reason"]?.description == "retries-exhausted")
        #expect(dead.properties.headers["x-dead-letter-error"]?.description.contains("never ready") == true)
        #expect(dead.properties.headers["x-retry-count"]?.intValue == 1)
        let answer = try #require(try await probe.drain(replies, expected: 1).first)
        #expect(answer.properties.type == "bizops.command.outcome.v1")
        #expect(answer.properties.correlationId == "order-100")
        #expect(answer.properties.headers["causation_id"]?.description == doomed.properties.messageId)
        let outcome = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        #expect(outcome?["outcome"] as? String == "rejected")
        #expect(outcome?["reasonCode"] as? String == "retries-exhausted")
        // Its batch mates were handled at once: none was held up or charged a retry.
        #expect(try await eventually { try await probe.effects() == 20 })
        let metrics = try await http("http://127.0.0.1:\(port)/metrics").body
        func count(_ outcome: String) -> Int? { metric(metrics, "bizops_messages_total", #"outcome="\#(outcome)""#) }
        #expect(count("retried") == 1 && count("dead_lettered") == 1 && count("handled") == 20, "\(metrics)")
        #expect(service.isRunning)
        await service.stop()
        await probe.cleanUp()
    }

    @Test func aRefusalIsAnsweredAndLoggedNotDeadLetteredAndASecondSendIsCheckedAgain() async throws {
        let probe = try await Probe.make()
        let port = String(freePort())
        let service = try await probe.serve(env: ["HTTP_PORT": port])
        let replies = "test.\(probe.id).replies"
        try await AMQPClient(config: TestServers.amqp).declareDurableQueue(replies, bindings: TestBus.replyBindings(replies))
        let refused = probe.command(seq: 7, messageId: UUID().uuidString.lowercased(), action: "refuse", replyTo: replies)
        try await probe.send((1...5).map { probe.command(seq: $0) } + [refused, refused])
        #expect(try await eventually { try await probe.effects() == 5 })
        // Both copies answered `refused` (not in the inbox, so the resend was checked again, not replayed).
        let answers = try await probe.drain(replies, expected: 2)
        #expect(answers.count == 2)
        for answer in answers {
            let outcome = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
            #expect(outcome?["outcome"] as? String == "refused" && outcome?["reasonCode"] as? String == "probe-refused")
            #expect(answer.properties.headers["causation_id"]?.description == refused.properties.messageId)
            #expect(answer.properties.headers["x-replayed"] == nil)
        }
        #expect(try await probe.count("inbox", "message_id = '\(refused.properties.messageId!)'") == 0)
        #expect(try await probe.queueDepth("\(probe.id).dead") == 0, "a refusal is not a dead letter")
        let log = try await http("http://127.0.0.1:\(port)/refusals?limit=1")
        #expect(log.status == 200)
        let page = try JSONSerialization.jsonObject(with: Data(log.body.utf8)) as! [String: Any]
        let first = try #require((page["items"] as? [[String: Any]])?.first)
        #expect(first["reasonCode"] as? String == "probe-refused" && first["messageId"] as? String == refused.properties.messageId)
        #expect(first["correlationId"] as? String == "order-7" && first["source"] as? String == "tests")
        let cursor = try #require(page["nextCursor"] as? String)
        let next = try await http("http://127.0.0.1:\(port)/refusals?after=\(cursor)").body
        let second = try JSONSerialization.jsonObject(with: Data(next.utf8)) as! [String: Any]
        #expect((second["items"] as? [Any])?.count == 1 && second["nextCursor"] is NSNull)
        #expect(try await http("http://127.0.0.1:\(port)/refusals?limit=0").status == 400)
        let metrics = try await http("http://127.0.0.1:\(port)/metrics").body
        #expect(metric(metrics, "bizops_messages_total", #"outcome="refused""#) == 2)
        #expect(metric(metrics, "bizops_refusals_total", #"reason="probe-refused""#) == 2, "\(metrics)")
        #expect(service.isRunning)
        await service.stop()
        await probe.cleanUp()
    }

    @Test func aCommandThatCameEarlyWaitsForItsStateAndIsRefusedWithItsReasonWhenItNeverComes() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve(env: ["WAIT_FOR_STATE_SECONDS": "3", "MAX_RETRIES": "0"])
        let replies = "test.\(probe.id).replies"
        try await AMQPClient(config: TestServers.amqp).declareDurableQueue(replies, bindings: TestBus.replyBindings(replies))
        let early = probe.command(seq: 1, messageId: UUID().uuidString.lowercased(), action: "await", replyTo: replies)
        let never = probe.command(seq: 2, messageId: UUID().uuidString.lowercased(), action: "await", replyTo: replies)
        try await probe.send([early, never])
        // The state the first one needs lands a moment later: it is handled then, once.
        try await Task.sleep(for: .milliseconds(500))
        _ = try await probe.pool.execute("INSERT INTO ready (seq) VALUES (1)")
        #expect(try await eventually(timeout: 20) { try await probe.count("effects", "seq = 1") == 1 })
        // The second waits past the bound (tries at about 0, 1 and 6 s), then is refused with
        // its own reason: not retries-exhausted, even with MAX_RETRIES=0, and not a dead letter.
        let answers = try await probe.drain(replies, expected: 1, timeout: 20)
        #expect(answers.count == 1, "only the refusal is answered (the probe answers nothing it handles)")
        let refusal = try #require(answers.first { $0.properties.headers["causation_id"]?.description == never.properties.messageId })
        let outcome = try JSONSerialization.jsonObject(with: refusal.body) as? [String: Any]
        #expect(outcome?["outcome"] as? String == "refused" && outcome?["reasonCode"] as? String == "probe-not-ready")
        #expect(try await probe.count("effects", "seq = 2") == 0)
        #expect(try await probe.queueDepth("\(probe.id).dead") == 0)
        let waited = try await probe.pool.query("SELECT waited_ms FROM refusals WHERE reason_code = 'probe-not-ready'")
        let waitedMs = try waited.first?.int("waited_ms") ?? 0
        #expect(waited.count == 1 && waitedMs >= 3_000)
        await service.stop()
        await probe.cleanUp()
    }

    @Test func threeProcessesApplyEachMigrationOnce() async throws {
        let probe = try await Probe.make()
        let children = try (0..<3).map { _ in try probe.start(["migrate"]) }
        var applied: [Int] = []
        for child in children {
            #expect(await child.waitExit(timeout: 60) == 0, "\(child.text)")
            let line = try #require(child.text.split(separator: "\n").first { $0.hasPrefix("PROBE applied") })
            applied += line.dropFirst("PROBE applied ".count).split(separator: ",").compactMap { Int($0) }
        }
        #expect(applied.sorted() == [1, 2, 3, 4, 5, 100, 101, 102])
        #expect(try await probe.count("migration_runs") == 1)
        #expect(try await probe.count("schema_migrations") == 8)
        await probe.cleanUp()
    }

    @Test func badConfigurationExitsNonZeroNamingTheVariable() async throws {
        let missing = try ChildProcess("sales", environment: ["DATABASE_URL": TestServers.databaseURL])
        #expect(await missing.waitExit() == 78)
        #expect(missing.text.contains("AMQP_URL is missing"), "\(missing.text)")
        let malformed = try ChildProcess("sales", environment: ["AMQP_URL": TestServers.amqpURL, "DATABASE_URL": "mysql://x"])
        #expect(await malformed.waitExit() == 78)
        #expect(malformed.text.contains("DATABASE_URL is invalid"), "\(malformed.text)")
        #expect(!malformed.text.contains("AMQP_URL"))
        let both = try ChildProcess("finance", environment: ["AMQP_URL": "amqp//broken", "HTTP_PORT": "http"])
        #expect(await both.waitExit() == 78)
        #expect(both.text.contains("AMQP_URL is invalid") && both.text.contains("DATABASE_URL is missing") && both.text.contains("HTTP_PORT"))
        // A clock-driven job's interval is configuration like any other.
        let job = try ChildProcess("finance", environment: ["AMQP_URL": TestServers.amqpURL, "DATABASE_URL": TestServers.databaseURL,
                                                            "JOB_COLLECTIONS_SECONDS": "hourly", "DB_LOCK_TIMEOUT_SECONDS": "-1"])
        #expect(await job.waitExit() == 78)
        #expect(job.text.contains("JOB_COLLECTIONS_SECONDS=hourly is invalid") && job.text.contains("DB_LOCK_TIMEOUT_SECONDS=-1"),
                "\(job.text)")
    }

    /// SIGTERM: readiness says `draining` at once, and a batch that never finishes is cancelled
    /// after SHUTDOWN_TIMEOUT_SECONDS instead of holding the process forever.
    @Test func aShutdownDrainsVisiblyAndIsBoundedInTime() async throws {
        let probe = try await Probe.make()
        let port = String(freePort())
        let service = try await probe.serve(env: ["PROBE_PAUSE_AFTER_COMMIT": "1", "HTTP_PORT": port, "SHUTDOWN_TIMEOUT_SECONDS": "2"])
        // Consuming is logged as the HTTP listener comes up: ready soon after, not necessarily at once.
        #expect(try await eventually(timeout: 10) { try await http("http://127.0.0.1:\(port)/health/ready").status == 200 })
        try await probe.send([probe.command(seq: 1)])
        try await service.waitFor("PROBE committed")
        service.signal(SIGTERM)
        #expect(try await eventually(timeout: 5) {
            let ready = try await http("http://127.0.0.1:\(port)/health/ready")
            return ready.status == 503 && ready.body.contains(#""draining":true"#)
        })
        #expect(await service.waitExit(timeout: 15) != nil, "still running long after the shutdown timeout: \(service.text.suffix(2000))")
        // Committed but never acknowledged: the next run finds it in the inbox and acks it, once.
        let next = try await probe.serve()
        #expect(try await eventually { try await probe.queueDepth(probe.id) == 0 })
        await next.stop()
        #expect(try await probe.effects() == 1)
        await probe.cleanUp()
    }

    /// `DB_STATEMENT_TIMEOUT_SECONDS` reaches the session: a statement past it is cancelled,
    /// retried as a transient failure, and after MAX_RETRIES dead-lettered saying why.
    @Test func aStatementPastTheTimeoutIsCancelledAndRetried() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve(env: ["DB_STATEMENT_TIMEOUT_SECONDS": "0.5", "MAX_RETRIES": "1"])
        try await probe.send([probe.command(seq: 1, action: "slow")])
        let dead = try #require(try await probe.drain("\(probe.id).dead", expected: 1).first)
        #expect(dead.properties.headers["x-dead-letter-reason"]?.description == "retries-exhausted")
        #expect(dead.properties.headers["x-dead-letter-error"]?.description.contains("statement timeout") == true,
                "\(dead.properties.headers)")
        await service.stop()
        await probe.cleanUp()
    }

    /// Secrets from files, as container platforms mount them; no password in any log line (at
    /// `trace`), error message or metric, on a normal run and on failed logins.
    @Test func secretsComeFromFilesAndNoPasswordIsEverPrinted() async throws {
        let probe = try await Probe.make()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-secrets-\(probe.id)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let amqpFile = dir.appendingPathComponent("amqp-url"), databaseFile = dir.appendingPathComponent("database-url")
        try (TestServers.amqpURL + "\n").write(to: amqpFile, atomically: true, encoding: .utf8)
        try (TestServers.databaseURL + "\n").write(to: databaseFile, atomically: true, encoding: .utf8)
        let password = try #require(URLComponents(string: TestServers.amqpURL)?.password)
        let port = String(freePort())
        let service = try await probe.serve(env: ["AMQP_URL": "", "DATABASE_URL": "", "AMQP_URL_FILE": amqpFile.path,
                                                  "DATABASE_URL_FILE": databaseFile.path, "LOG_LEVEL": "trace", "HTTP_PORT": port])
        try await probe.send([probe.command(seq: 1)])
        #expect(try await eventually { try await probe.effects() == 1 })
        let metrics = try await http("http://127.0.0.1:\(port)/metrics").body
        await service.stop()
        #expect(!service.text.isEmpty && !service.text.contains(password), "a password in the trace log")
        #expect(!metrics.contains(password), "a password in /metrics")
        // Failed logins say who could not log in where, never with what.
        let wrong = "wrong-\(UUID().uuidString.prefix(8))"
        var badBroker = URLComponents(string: TestServers.amqpURL)!, badDatabase = URLComponents(string: TestServers.databaseURL)!
        badBroker.password = wrong; badDatabase.password = wrong
        for (amqp, database) in [(badBroker.string!, TestServers.databaseURL), (TestServers.amqpURL, badDatabase.string!)] {
            let failing = try probe.start(env: ["AMQP_URL": amqp, "DATABASE_URL": database, "LOG_LEVEL": "trace",
                                                "STARTUP_TIMEOUT_SECONDS": "2"])
            #expect(await failing.waitExit(timeout: 30) != 0)
            #expect(!failing.text.contains(wrong) && !failing.text.contains(password), "a password in: \(failing.text.suffix(1500))")
            #expect(failing.text.contains("cannot reach the"), "\(failing.text.suffix(1500))")
        }
        await probe.cleanUp()
    }
}
