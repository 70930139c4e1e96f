import Foundation
import Messaging
import Storage
import Testing

/// `bizctl dead` as an operator uses it, against a real service (the kit probe), broker and
/// database: a letter that exhausted its retries is listed with its reason without being lost,
/// replayed once its cause is fixed and handled exactly once; a poison body is corrected and
/// replayed with the original kept; a purge removes what it names; each action is recorded.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct DeadLetterToolTests {
    func bizctl(_ arguments: [String]) async throws -> (exit: Int32?, text: String) {
        let child = try ChildProcess("bizctl", ["dead"] + arguments + ["--amqp-url", TestServers.amqpURL], environment: [
            "BIZCTL_DATABASE_URL": TestServers.databaseURL, "BIZCTL_OPERATOR": "zhou.ops"])
        let exit = await child.waitExit(timeout: 60)
        return (exit, child.text)
    }

    func json(_ text: String) -> [String: Any] {
        let start = text.firstIndex(of: "{").map { String(text[$0...]) } ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(start.utf8))) as? [String: Any] ?? [:]
    }

    @Test func aDeadLetterIsListedReplayedOnceItsCauseIsFixedCorrectedOrPurgedAndEachActionIsRecorded() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve(env: ["MAX_RETRIES": "1"])
        let dead = "\(probe.id).dead"
        let doomed = probe.command(seq: 42, messageId: UUID().uuidString.lowercased(), action: "until-ready")
        let broken = probe.command(seq: 7, messageId: UUID().uuidString.lowercased(), body: #"{"seq": 7, oops"#)
        let junk = probe.command(seq: 9, messageId: UUID().uuidString.lowercased(), body: "not json at all")
        try await probe.send([doomed, broken, junk])
        #expect(try await eventually(timeout: 30) { try await probe.queueDepth(dead) == 3 })

        // Listed, grouped by reason, and still there after the reading.
        let listed = try await bizctl(["list", probe.id, "--json"])
        #expect(listed.exit == 0, "\(listed.text)")
        let listing = json(listed.text)
        let letters = listing["letters"] as? [[String: Any]] ?? []
        #expect(listing["total"] as? Int == 3)
        let exhausted = letters.first { $0["messageId"] as? String == doomed.properties.messageId }
        #expect(exhausted?["reason"] as? String == "retries-exhausted" && exhausted?["type"] as? String == "probe.command.v1")
        #expect((exhausted?["error"] as? String)?.contains("needs its row") == true)
        let groups = listing["groups"] as? [[String: Any]] ?? []
        #expect(groups.contains { $0["reason"] as? String == "malformed-json" && $0["count"] as? Int == 2 })
        #expect(try await probe.queueDepth(dead) == 3, "reading loses none")
        let human = try await bizctl(["list", probe.id])
        #expect(human.exit == 0 && human.text.contains("retries-exhausted") && human.text.contains(doomed.properties.messageId!))

        // Replayed once its cause is fixed: handled exactly once, even when it comes again.
        try await probe.pool.execute("INSERT INTO ready (seq) VALUES (42)")
        let replayed = try await bizctl(["replay", probe.id, "--reason", "retries-exhausted"])
        #expect(replayed.exit == 0 && replayed.text.contains("replayed 1"), "\(replayed.text)")
        #expect(try await eventually { try await probe.effects() == 1 })
        try await probe.send([doomed])
        try await Task.sleep(for: .seconds(2))
        #expect(try await probe.count("effects", "seq = 42") == 1, "the same message_id is not handled twice")
        #expect(try await probe.queueDepth(dead) == 2)

        // A poison body corrected and replayed; the original kept beside the correction.
        let corrected = FileManager.default.temporaryDirectory.appendingPathComponent("bizctl-edit-\(UUID()).json")
        try Data(#"{"seq": 7}"#.utf8).write(to: corrected)
        defer { try? FileManager.default.removeItem(at: corrected) }
        let edited = try await bizctl(["edit", probe.id, "--id", broken.properties.messageId!, "--body", corrected.path])
        #expect(edited.exit == 0, "\(edited.text)")
        #expect(try await eventually { try await probe.count("effects", "seq = 7") == 1 })

        // A letter the broker dead-lettered keeps its sender's headers (here a forged route and sender):
        // replay skips it, saying why, and it stays dead.
        var forged = probe.command(seq: 8, messageId: UUID().uuidString.lowercased())
        forged.exchange = ""
        forged.routingKey = dead
        forged.properties.headers["x-original-routing-key"] = .string("\(probe.id).command")
        forged.properties.headers["x-original-user-id"] = .string("someone-else")
        try await TestBus.send([forged])
        #expect(try await eventually { try await probe.queueDepth(dead) == 2 }, "the junk letter and the forged one")
        let refusedReplay = try await bizctl(["replay", probe.id, "--id", forged.properties.messageId!])
        #expect(refusedReplay.text.contains("skipped \(forged.properties.messageId!)") && refusedReplay.text.contains("nothing replayed"), "\(refusedReplay.text)")
        #expect(try await probe.count("effects", "seq = 8") == 0)
        let forgedGone = try await bizctl(["purge", probe.id, "--id", forged.properties.messageId!, "--yes"])
        #expect(forgedGone.exit == 0)
        #expect(try await eventually { try await probe.queueDepth(dead) == 1 })

        // A purge needs --yes off a terminal, then removes only what it names.
        let unasked = try await bizctl(["purge", probe.id, "--id", junk.properties.messageId!])
        #expect(unasked.exit != 0 && unasked.text.contains("--yes"))
        #expect(try await probe.queueDepth(dead) == 1)
        let purged = try await bizctl(["purge", probe.id, "--id", junk.properties.messageId!, "--yes"])
        #expect(purged.exit == 0, "\(purged.text)")
        #expect(try await eventually { try await probe.queueDepth(dead) == 0 })

        // Each action recorded with who did it.
        let actions = try await probe.pool.query("SELECT action, operator, message_ids::text AS ids, detail::text AS detail FROM operator_actions ORDER BY id")
        #expect(try actions.map { try $0.string("action") } == ["replay", "edit", "purge", "purge"])
        #expect(try actions.allSatisfy { try $0.string("operator") == "zhou.ops" })
        #expect(try actions[0].string("ids").contains(doomed.properties.messageId!))
        let detail = try actions[1].string("detail")
        #expect(detail.contains("oops") && detail.contains(#"{\"seq\": 7}"#), "original and correction: \(detail)")
        await #expect(throws: (any Error).self) { try await probe.pool.execute("DELETE FROM operator_actions") }
        await service.stop()
        await probe.cleanUp()
    }

    /// `bizctl outbox`: rows committed and not yet published, the oldest's age, and exit 1 once
    /// it waits longer than allowed.
    @Test func theOutboxBacklogIsShownAndAnOldOneFailsTheCheck() async throws {
        let probe = try await Probe.make()
        let writer = try probe.start(["commit-events", "5"])  // commits five events, publishes nothing
        try await writer.waitFor("PROBE committed 5")
        try await Task.sleep(for: .milliseconds(300))
        func outbox(_ extra: [String]) async throws -> (exit: Int32?, text: String) {
            let child = try ChildProcess("bizctl", ["outbox", "--service", probe.id, "--database-url", TestServers.databaseURL] + extra, environment: [:])
            let exit = await child.waitExit(timeout: 30)
            return (exit, child.text)
        }
        let fresh = try await outbox(["--json", "--max-age", "3600"])
        #expect(fresh.exit == 0, "\(fresh.text)")
        let rows = (try? JSONSerialization.jsonObject(with: Data((fresh.text.firstIndex(of: "[").map { String(fresh.text[$0...]) } ?? "").utf8))) as? [[String: Any]]
        #expect(rows?.first?["unsent"] as? Int == 5 && (rows?.first?["oldestSeconds"] as? Double ?? 0) > 0, "\(fresh.text)")
        let stale = try await outbox(["--max-age", "0.1"])
        #expect(stale.exit == 1 && stale.text.contains("oldest unsent row waits"), "\(stale.text)")
        await writer.stop()
        await probe.cleanUp()
    }
}
