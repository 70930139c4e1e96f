import ArgumentParser
import Foundation
import Logging
import Messaging
import ServiceKit
import Storage

/// What every `bizctl dead` verb that changes something needs: the broker as its admin, the
/// database to record the action in, and the operator's name.
struct OperatorOptions: ParsableArguments {
    @OptionGroup var broker: BrokerOptions

    @Option(help: "The database the action is recorded in, as a role that may write the service's operator_actions (default: BIZCTL_DATABASE_URL or the local postgresql://bizops@127.0.0.1:5432/bizops).")
    var databaseURL: String?

    @Option(help: "Who is acting, for the record (default: BIZCTL_OPERATOR, else the login name).")
    var `operator`: String?

    var operatorName: String {
        let env = ProcessInfo.processInfo.environment
        return `operator` ?? env["BIZCTL_OPERATOR"] ?? env["USER"] ?? env["LOGNAME"] ?? "unknown"
    }

    func record(_ action: String, _ selection: DeadSelection, ids: [String], detail: [String: String] = [:]) async throws {
        let url = databaseURL ?? ProcessInfo.processInfo.environment["BIZCTL_DATABASE_URL"]
            ?? "postgresql://bizops:bizops-dev@127.0.0.1:5432/bizops?sslmode=disable"
        let pool = PostgresPool(DatabaseConfig(url: url, schema: selection.schema, poolSize: 1, applicationName: "bizctl"))
        let json = String(decoding: try JSONEncoder().encode(detail), as: UTF8.self)
        let operatorName = self.operatorName, queue = selection.queue, filter = selection.filterText
        try await pool.run { try ChangeLogStore($0).addOperatorAction(action, operatorName: operatorName, queue: queue, messageIds: ids,
                                                                     filter: filter, detailJSON: json) }
    }
}

struct DeadList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list",
        abstract: "Dead letters grouped by reason and type, then each one; none is lost by reading.")
    @OptionGroup var selection: DeadSelection
    @OptionGroup var broker: BrokerOptions
    @Flag(help: "Print JSON for machines.") var json = false

    struct Group: Encodable { let reason: String; let type: String; let count: Int }
    struct Listing: Encodable { let queue: String; let total: Int; let groups: [Group]; let letters: [DeadLetter] }

    func run() async throws {
        let reader = DeadLetterReader(config: try broker.config(), queue: selection.queue)
        try await reader.read { _ in false }
        try await reader.releaseAll()
        let letters = reader.letters.filter(selection.matches)
        var counts: [String: Int] = [:]
        for l in letters { counts["\(l.reason)\u{1}\(l.type ?? "-")", default: 0] += 1 }
        let groups = counts.map { key, n in
            let parts = key.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
            return Group(reason: parts[0], type: parts[1], count: n)
        }.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
        let listing = Listing(queue: selection.queue, total: letters.count, groups: groups, letters: letters)
        if json { print(try Terminal.json(listing)); return }
        print("\(selection.queue): \(letters.count) dead letter\(letters.count == 1 ? "" : "s")\(selection.filterText.map { " matching \($0)" } ?? "")")
        guard !letters.isEmpty else { return }
        print()
        print(Terminal.table(["reason", "type", "count"], groups.map { [$0.reason, $0.type, String($0.count)] }))
        print()
        print(Terminal.table(["#", "message_id", "type", "routing key", "reason", "dead-lettered", "body"],
                             letters.map { [String($0.position), $0.messageId ?? "-", $0.type ?? "-", $0.routingKey ?? "-", $0.reason,
                                            $0.deadLetteredAt ?? "-", String($0.preview.prefix(60))] }))
    }
}

struct DeadShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One dead letter whole: its properties, headers and body.")
    @OptionGroup var selection: DeadSelection
    @OptionGroup var broker: BrokerOptions

    func validate() throws { if selection.ids.count != 1 { throw ValidationError("give the letter with one --id MESSAGE_ID") } }

    func run() async throws {
        let reader = DeadLetterReader(config: try broker.config(), queue: selection.queue)
        try await reader.read(keep: selection.matches)
        try await reader.releaseAll()
        guard let letter = reader.letters.first(where: selection.matches), let d = letter.delivery else {
            throw ValidationError("no dead letter \(selection.ids[0]) in \(selection.queue)")
        }
        print("message_id: \(d.properties.messageId ?? "-")\ntype: \(d.properties.type ?? "-")\nreason: \(letter.reason)")
        print("correlation_id: \(d.properties.correlationId ?? "-")\nreply_to: \(d.properties.replyTo ?? "-")\ncontent_type: \(d.properties.contentType ?? "-")")
        print("headers:")
        for (k, v) in d.properties.headers.sorted(by: { $0.key < $1.key }) { print("  \(k): \(v)") }
        print("body (\(d.body.count) bytes):")
        if let object = try? JSONSerialization.jsonObject(with: d.body),
           let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) {
            print(String(decoding: pretty, as: UTF8.self))
        } else { print(String(decoding: d.body.prefix(64 * 1024), as: UTF8.self)) }
    }
}

struct DeadReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay",
        abstract: "Send dead letters back to the queue of the service that failed them, with their own message_id.",
        discussion: "Choose with --id (repeatable), --reason, --type, or --all. Each goes to the service's own queue only, as a first attempt again; a message already handled is recognised by its message_id and not handled twice. Sent in batches at the rate given; each batch is recorded before its letters leave the dead-letter queue.")
    @OptionGroup var selection: DeadSelection
    @OptionGroup var options: OperatorOptions
    @Flag(help: "Every letter of the queue (or of the filter).") var all = false
    @Option(help: "Letters per batch.") var batch: Int = 100
    @Option(help: "Letters per second at most.") var rate: Double = 50
    @Flag(help: "Say what would be replayed, and do nothing.") var dryRun = false

    func validate() throws {
        try selection.requireChoice(all: all)
        if selection.workQueue == nil { throw ValidationError("commands nobody handles have no queue to go back to: purge them, or publish them again once a service handles them") }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1 to 10000") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        let config = try options.broker.config()
        let reader = DeadLetterReader(config: config, queue: selection.queue)
        try await reader.read(keep: selection.matches)
        let matching = reader.letters.filter(selection.matches)
        let skipped = matching.compactMap { l in Replay.refusal(l, service: selection.service).map { (l, $0) } }
        let chosen = matching.filter { Replay.refusal($0, service: selection.service) == nil }
        for (letter, why) in skipped { print("skipped \(letter.messageId ?? "#\(letter.position)"): \(why)", to: &standardError) }
        var removed = 0
        do {
            // The broker takes back letters a reader holds longer than its consumer_timeout (30 min by default).
            let minutes = Double(chosen.count) / rate / 60 + Double(reader.heldFor.components.seconds) / 60
            if minutes >= 20 {
                let why = "replaying \(chosen.count) letters at \(rate)/s takes \(Int(minutes)) minutes, longer than the broker lets a reader hold letters (consumer_timeout, 30 min by default): raise --rate, or replay them in parts with --type, --reason or --id"
                if !dryRun { throw RuntimeFailure(why) }
                print("warning: \(why)", to: &standardError)
            }
            try await reader.release(allBut: chosen)
            if dryRun || chosen.isEmpty {
                try await reader.releaseAll()
                print(dryRun ? "\(chosen.count) dead letter\(chosen.count == 1 ? "" : "s") would be replayed to \(selection.workQueue!)"
                             : "nothing replayed: no dead letter that can be replayed matches")
                return
            }
            var logger = Logger(label: "bizctl")
            logger.logLevel = .warning
            let publisher = ConfirmedPublisher(config: config, name: "bizctl dead replay", logger: logger)
            defer { Task { await publisher.close() } }
            let start = ContinuousClock.now
            for (n, part) in stride(from: 0, to: chosen.count, by: batch).map({ Array(chosen[$0..<min($0 + batch, chosen.count)]) }).enumerated() {
                let messages = try part.map { try Replay.message($0, to: selection.workQueue!, by: options.operatorName) }
                try await reader.ensureHeld(part)
                // Recorded before anything is sent: no replay happens unrecorded (a failed one is retried
                // with the same message ids, which the service recognises).
                try await options.record("replay", selection, ids: part.map { $0.messageId ?? "-" }, detail: ["to": selection.workQueue!])
                let outcomes = try await publisher.publish(messages)
                let taken = zip(part, outcomes).filter { $0.1 == .confirmed }.map(\.0)
                try await reader.remove(taken)
                removed += taken.count
                guard taken.count == part.count else {
                    throw RuntimeFailure("the broker took \(taken.count) of batch \(n + 1)'s \(part.count) letters; the rest stay dead: run the replay again")
                }
                // Paced to --rate, the publisher's connection kept alive through the wait.
                let due = start + .milliseconds(Int(Double(removed) / rate * 1000))
                while due > .now {
                    try await Task.sleep(until: min(due, .now + .seconds(5)))
                    await publisher.keepAlive()
                }
            }
            try await reader.releaseAll()
            print("replayed \(removed) dead letter\(removed == 1 ? "" : "s") to \(selection.workQueue!) as \(options.operatorName)")
        } catch {
            try? await reader.releaseAll()
            if removed > 0 { print("replayed \(removed) dead letter\(removed == 1 ? "" : "s") before this failure", to: &standardError) }
            throw error
        }
    }
}

struct DeadEdit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit",
        abstract: "Correct one dead letter's body and replay it; the original is kept beside the correction in the record.")
    @OptionGroup var selection: DeadSelection
    @OptionGroup var options: OperatorOptions
    @Option(help: "The corrected JSON body: a file, or - for standard input.") var body: String

    func validate() throws {
        if selection.ids.count != 1 { throw ValidationError("give the letter with one --id MESSAGE_ID") }
        if selection.workQueue == nil { throw ValidationError("commands nobody handles have no queue to go back to") }
    }

    func run() async throws {
        let corrected = body == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: body))
        guard (try? JSONSerialization.jsonObject(with: corrected)) is [String: Any] else { throw ValidationError("the corrected body must be a JSON object") }
        let config = try options.broker.config()
        let reader = DeadLetterReader(config: config, queue: selection.queue)
        try await reader.read(keep: selection.matches)
        guard let letter = reader.letters.first(where: selection.matches), letter.delivery != nil else {
            try await reader.releaseAll()
            throw ValidationError("no dead letter \(selection.ids[0]) in \(selection.queue)")
        }
        do {
            try await reader.release(allBut: [letter])
            var logger = Logger(label: "bizctl")
            logger.logLevel = .warning
            let publisher = ConfirmedPublisher(config: config, name: "bizctl dead edit", logger: logger)
            defer { Task { await publisher.close() } }
            if let why = Replay.refusal(letter, service: selection.service) { throw RuntimeFailure("cannot replay \(letter.messageId ?? "-"): \(why)") }
            let message = try Replay.message(letter, to: selection.workQueue!, by: options.operatorName, body: corrected)
            let original = letter.delivery!.body
            try await reader.ensureHeld([letter])
            try await options.record("edit", selection, ids: [letter.messageId ?? "-"], detail: [
                "to": selection.workQueue!, "corrected": String(decoding: corrected, as: UTF8.self),
                "original": String(data: original, encoding: .utf8) ?? "base64:" + original.base64EncodedString()])
            guard try await publisher.publish([message]).first == .confirmed else { throw RuntimeFailure("the broker did not take the correction; the letter stays dead") }
            try await reader.remove([letter])
            try await reader.releaseAll()
            print("corrected \(letter.messageId ?? "-") and replayed it to \(selection.workQueue!) as \(options.operatorName)")
        } catch {
            try? await reader.releaseAll()
            throw error
        }
    }
}

struct DeadPurge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purge",
        abstract: "Remove dead letters for good, after asking; what was removed is recorded.")
    @OptionGroup var selection: DeadSelection
    @OptionGroup var options: OperatorOptions
    @Flag(help: "Every letter of the queue (or of the filter).") var all = false
    @Flag(help: "Do not ask (for scripts).") var yes = false

    func validate() throws {
        try selection.requireChoice(all: all)
    }

    func run() async throws {
        let reader = DeadLetterReader(config: try options.broker.config(), queue: selection.queue)
        try await reader.read(keep: selection.matches)
        let chosen = reader.letters.filter(selection.matches)
        do {
            guard !chosen.isEmpty else { try await reader.releaseAll(); print("no dead letter matches"); return }
            try await reader.release(allBut: chosen)
            if !yes {
                guard isatty(0) == 1 else { throw ValidationError("purging \(chosen.count) letters needs --yes when not asked on a terminal") }
                print("remove \(chosen.count) dead letter\(chosen.count == 1 ? "" : "s") from \(selection.queue) for good? type yes: ", terminator: "")
                guard await Terminal.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                    try await reader.releaseAll(); print("nothing removed"); return
                }
            }
            var kept: [String: String] = [:]
            for l in chosen.prefix(1000) { kept[l.messageId ?? "#\(l.position)"] = "\(l.type ?? "-") \(l.reason): \(l.preview)" }
            try await reader.ensureHeld(chosen)
            try await options.record("purge", selection, ids: chosen.map { $0.messageId ?? "-" }, detail: kept)
            try await reader.remove(chosen)
            try await reader.releaseAll()
            print("removed \(chosen.count) dead letter\(chosen.count == 1 ? "" : "s") from \(selection.queue) as \(options.operatorName)")
        } catch {
            try? await reader.releaseAll()
            throw error
        }
    }
}

/// A dead letter as a first attempt again, to its service's own queue (through the default
/// exchange, as its retries come back): its message_id and properties kept, the failure's
/// headers gone, and who replayed it when.
enum Replay {
    static let failureHeaders = ["x-dead-letter-reason", "x-dead-letter-error", "x-dead-lettered-by", "x-dead-lettered-at",
                                 "x-retry-count", "x-last-error", "x-wait-count", "x-waiting-for", "x-death"]

    /// Why a letter cannot be replayed, or nil. Only a letter the service itself dead-lettered
    /// carries route and sender headers the service wrote (it replaces any a sender set); one
    /// the broker dead-lettered still has the sender's own headers, which a replay through the
    /// default exchange would have the service trust.
    static func refusal(_ letter: DeadLetter, service: String) -> String? {
        guard let d = letter.delivery else { return "not read whole" }
        let h = d.properties.headers
        guard h["x-dead-lettered-by"]?.description == service, h["x-death"] == nil, h["x-original-routing-key"] != nil else {
            return "dead-lettered by the broker (its consumer kept failing on it): its headers are the sender's, not the service's; purge it, or have the sender send it again"
        }
        return nil
    }

    static func message(_ letter: DeadLetter, to queue: String, by person: String, body: Data? = nil) throws -> OutgoingMessage {
        guard let d = letter.delivery else { throw ValidationError("letter \(letter.position) was not read whole") }
        var properties = d.properties
        for header in failureHeaders { properties.headers[header] = nil }
        properties.headers["x-first-attempt-at"] = .int(Int64(Date().timeIntervalSince1970 * 1000))
        properties.headers["x-replayed-by"] = .string(person)
        properties.headers["x-replayed-at"] = .string(Date().formatted(.iso8601))
        if body != nil { properties.headers["x-edited-by"] = .string(person) }  // the body is the operator's, not the sender's
        properties.userId = nil
        properties.persistent = true
        return OutgoingMessage(exchange: "", routingKey: queue, properties: properties, body: body ?? d.body)
    }
}

/// A failure while acting (not a usage error): printed as is, exit 1, without the usage text.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
