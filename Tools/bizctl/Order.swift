import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Messaging
import ServiceKit
import Storage

/// One order across the five services, from each service's own records (not sales' copy of
/// the history): who did what and when, which step it waits for, and where the awaited
/// message is: an outbox not yet published, a retry or dead-letter queue, or nowhere yet.
struct Order: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An order's timeline across the five services, the step it waits for, and where that message is.",
        discussion: "Reads each service's HTTP API with a sign-in token (--token or BIZCTL_TOKEN; locally --as PERSON signs one with .local/auth), the services' outboxes, inboxes and refusals in the database (--database-url, BIZCTL_DATABASE_URL) and the retry and dead-letter queues on the broker as its admin (--amqp-url, BIZCTL_AMQP_URL; optional).")

    @Argument(help: "The order reference.")
    var orderRef: String

    @OptionGroup var status: StatusOptions

    @OptionGroup var signIn: SignInOptions

    @Option(help: "The database, as a role that may read the services' outboxes, inboxes and refusals (default: BIZCTL_DATABASE_URL or the local postgresql://bizops@127.0.0.1:5432/bizops).")
    var databaseURL: String?

    @Option(help: "The broker as its admin, to look in the retry and dead-letter queues (default: BIZCTL_AMQP_URL; without it, queues are not searched).")
    var amqpURL: String?

    @Flag(help: "Print JSON for machines.")
    var json = false

    struct Entry: Encodable { let at: String; let service: String; let what: String; let actor: String? }
    struct Waiting: Encodable { let step: String; let from: String; let message: String; let whereNow: String }
    struct Report: Encodable {
        let orderRef: String; let status: String; let timeline: [Entry]; let waiting: Waiting?
        /// Services that could not be read: the timeline lacks their part.
        let unreadable: [String]
    }

    func run() async throws {
        let bases = try status.serviceBases()
        let reader = ServiceReader(bases: bases, bearer: try await signIn.bearer())
        // Sales must answer (it knows the order); another service that cannot be read (it may be
        // the one that is down) leaves its part out, said so, rather than the whole report.
        var unreadable: [String] = []
        func get(_ service: String, _ path: String) async throws -> Any? {
            guard service != "sales" else { return try await reader.get(service, path) }
            do { return try await reader.get(service, path) } catch {
                if !unreadable.contains(where: { $0.hasPrefix("\(service):") }) { unreadable.append("\(service): \(error)") }
                return nil
            }
        }
        let ref = orderRef.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? orderRef
        // Sales lists every order under the reference (a rejected one may be placed again): the latest is the live one.
        let answer = try await get("sales", "/orders/\(ref)")
        guard let sales = (answer as? [[String: Any]])?.last ?? answer as? [String: Any] else {
            throw ValidationError("sales has no order \(orderRef)")
        }
        var timeline: [Entry] = []
        for h in sales["history"] as? [[String: Any]] ?? [] {
            timeline.append(Entry(at: h["at"] as? String ?? "", service: "sales", what: "\(h["event"] as? String ?? "?") → \(h["status"] as? String ?? "?")"
                                  + ((h["detail"] as? String).map { " (\($0))" } ?? ""), actor: h["actor"] as? String))
        }
        if let risk = try await get("risk", "/orders/\(ref)") as? [String: Any] {
            timeline.append(Entry(at: risk["createdAt"] as? String ?? "", service: "risk",
                                  what: "credit check: \(risk["status"] as? String ?? "?")" + ((risk["reasonCode"] as? String).map { " (\($0))" } ?? ""),
                                  actor: risk["decidedBy"] as? String))
        }
        let movements = (try await get("logistics", "/movements?order=\(ref)&limit=500") as? [String: Any])?["items"] as? [[String: Any]] ?? []
        for m in movements {
            timeline.append(Entry(at: m["at"] as? String ?? "", service: "logistics",
                                  what: "\(m["kind"] as? String ?? "?") \(m["sku"] as? String ?? "") at \(m["warehouse"] as? String ?? "?")", actor: m["actor"] as? String))
        }
        let logistics = try await get("logistics", "/orders/\(ref)") as? [String: Any]
        if let shipment = logistics?["shipment"] as? [String: Any] {
            timeline.append(Entry(at: shipment["dispatchedAt"] as? String ?? "", service: "logistics", what: "dispatched", actor: nil))
            if let signed = shipment["signedAt"] as? String {
                timeline.append(Entry(at: signed, service: "logistics", what: "delivered, signed by \(shipment["signedBy"] as? String ?? "?")", actor: nil))
            }
        }
        let invoices = (try await get("finance", "/invoices?order=\(ref)&limit=100") as? [String: Any])?["items"] as? [[String: Any]] ?? []
        for i in invoices {
            timeline.append(Entry(at: i["issueDate"] as? String ?? "", service: "finance",
                                  what: "\(i["kind"] as? String ?? "?") invoice \(i["invoiceNumber"] as? String ?? "?") of \(i["amount"] as? Int ?? 0): \(i["status"] as? String ?? "?")",
                                  actor: nil))
        }
        timeline.sort { $0.at < $1.at }
        let orderStatus = sales["status"] as? String ?? "?"
        var waiting = Self.awaited(status: orderStatus, logistics: logistics, invoices: invoices)
        if let w = waiting {
            // The step is told from logistics' clearance and finance's invoices: uncertain without them.
            let needed = orderStatus == "reserved" ? "logistics" : orderStatus == "delivered" ? "finance" : nil
            let step = needed.map { n in unreadable.contains { $0.hasPrefix("\(n):") } ? "\(w.step) (uncertain: \(n) could not be read)" : w.step } ?? w.step
            waiting = Waiting(step: step, from: w.from, message: w.message, whereNow: try await locate(w, bases: bases))
        }
        let report = Report(orderRef: orderRef, status: orderStatus, timeline: timeline, waiting: waiting, unreadable: unreadable)
        if json { print(try Terminal.json(report)); return }
        print("\(Terminal.bold(orderRef)): \(orderStatus)\n")
        for problem in unreadable { print("not read: \(problem) (its part is missing below)") }
        print(Terminal.table(["when", "service", "what", "who"], timeline.map { [$0.at, $0.service, $0.what, $0.actor ?? "-"] }))
        if let w = report.waiting {
            print("\nwaiting for: \(w.step) (\(w.message) from \(w.from))\nwhere it is: \(w.whereNow)")
        } else { print("\nnothing to wait for: the order is \(orderStatus)") }
    }

    /// The step an order in `status` waits for, who sends it and as which message.
    static func awaited(status: String, logistics: [String: Any]?, invoices: [[String: Any]]) -> Waiting? {
        func w(_ step: String, _ from: String, _ message: String) -> Waiting { Waiting(step: step, from: from, message: message, whereNow: "") }
        switch status {
        case "placed": return w("the credit check", "risk", "risk.credit.approved|held|rejected")
        case "held": return w("a person of risk to release or reject the held order", "a person (POST /orders/{ref}/release in risk)", "risk.credit.approved")
        case "accepted": return w("the stock reservation", "logistics", "logistics.stock.reserved")
        case "backordered": return w("stock to arrive (a receipt)", "the warehouse system", "logistics.stock.reserved")
        case "reserved":
            if logistics?["clearedForDispatch"] as? Bool == false {
                return w("finance's clearance (a prepayment or deposit paid)", "finance", "finance.order.cleared")
            }
            return w("the dispatch", "the warehouse system", "shipment.dispatch")
        case "dispatched": return w("the signed delivery", "the driver app", "shipment.deliver")
        case "delivered":
            return invoices.contains { $0["kind"] as? String == "final" }
                ? w("the payment of the final invoice", "the bank feed", "payment.record")
                : w("the final invoice", "finance", "finance.invoice.issued")
        case "cancelling": return w("the warehouse to give back the stock", "logistics", "logistics.stock.released")
        default: return nil
        }
    }

    /// The routing keys an awaited message may have: `risk.credit.approved|held|rejected` is three.
    static func awaitedKeys(_ message: String) -> Set<String> {
        let parts = message.split(separator: "|").map(String.init)
        guard let first = parts.first else { return [] }
        let stem = first.split(separator: ".").dropLast().joined(separator: ".")
        return Set([first] + parts.dropFirst().map { "\(stem).\($0)" })
    }

    /// Where the awaited message is now: an outbox row not yet published; a retry or
    /// dead-letter queue of a service; sent and not yet in the inbox or the refusals of a
    /// service bound to it, so in that service's work queue; sent and handled (the order should
    /// have moved on); or nowhere yet (its sender has not sent it).
    func locate(_ waiting: Waiting, bases: [String: String]) async throws -> String {
        let url = databaseURL ?? ProcessInfo.processInfo.environment["BIZCTL_DATABASE_URL"]
            ?? "postgresql://bizops:bizops-dev@127.0.0.1:5432/bizops?sslmode=disable"
        var pools: [String: PostgresPool] = [:]
        for spec in Provision.specs {
            pools[spec.id] = PostgresPool(DatabaseConfig(url: url, schema: spec.schema, poolSize: 1, applicationName: "bizctl order"))
        }
        var found: [String] = [], handled: [String] = [], unread: [String] = []
        let keys = Self.awaitedKeys(waiting.message)
        // The events of the order that were published: (type, sender, message id, sent at, routing key).
        // Those that matter: the awaited one, and what its sender has still to take (its cause).
        var published: [(type: String, from: String, id: String, at: String, key: String)] = []
        for spec in Provision.specs {
            let pool = pools[spec.id]!
            do {
                let n = try await pool.run { try OutboxStore($0).unsent(correlationId: orderRef) }
                if n > 0 { found.append("\(n) message\(n == 1 ? "" : "s") unsent in \(spec.id)'s outbox") }
                // Within the inbox's retention (7 days), so one handled is still remembered as handled.
                for sent in try await pool.run({ try OutboxStore($0).sent(correlationId: orderRef, exchange: Topology.events, withinDays: 6) }) {
                    published.append((sent.type, spec.id, sent.messageId, sent.sentAt, sent.routingKey))
                }
            } catch { unread.append("\(spec.id)'s outbox (\(error))") }
        }
        // Letters of the order in the retry and dead-letter queues, by the service whose queues they are in.
        var lettered = Set<String>()
        let config = (amqpURL ?? ProcessInfo.processInfo.environment["BIZCTL_AMQP_URL"]).flatMap { try? AMQPConfig.parse($0) }
        if let config {
            for spec in Provision.specs {
                let topology = Topology(service: spec.id, bindings: [])
                for queue in topology.retryDelays.indices.map({ topology.retryQueue(level: $0 + 1) }) + [topology.deadQueue] {
                    let reader = DeadLetterReader(config: config, queue: queue)
                    do { try await reader.read { _ in false } } catch { unread.append("queue \(queue) (\(error))") }
                    try? await reader.releaseAll()
                    for letter in reader.letters where letter.correlationId == orderRef {
                        if let id = letter.messageId { lettered.insert("\(spec.id) \(id)") }
                        found.append("\(letter.type ?? "a message") in \(queue)" + (queue.hasSuffix(".dead") ? " (dead: \(letter.reason); bizctl dead show \(spec.id) --id \(letter.messageId ?? "?"))" : " (retrying)"))
                    }
                }
            }
        }
        // Each service bound to an awaited event that was sent: taken (inbox or refusals), or still to take.
        let client = config.map { AMQPClient(config: $0, name: "bizctl order") }
        for consumer in Provision.specs {
            let mine = published.filter { event in
                consumer.bindings.contains(.event(event.key)) && !lettered.contains("\(consumer.id) \(event.id)")
                    && (keys.contains(event.key) || consumer.id == waiting.from)
            }
            guard !mine.isEmpty, let pool = pools[consumer.id] else { continue }
            let taken: Set<String>
            do {
                let ids = mine.map(\.id)
                taken = try await pool.run { conn in
                    try InboxStore(conn).taken(ids).union(try RefusalStore(conn).messageIds(correlationId: orderRef))
                }
            } catch {
                unread.append("\(consumer.id)'s inbox and refusals (\(error))")
                continue
            }
            for event in mine {
                let sent = "\(event.type) sent by \(event.from) at \(event.at)"
                if taken.contains(event.id) {
                    if keys.contains(event.key) { handled.append("\(sent), handled by \(consumer.id)") }
                } else if let client {
                    let depth = (try? await client.messageCount(consumer.id)).map { ", \($0) message\($0 == 1 ? "" : "s") waiting there" } ?? ""
                    found.append("\(sent), not yet handled by \(consumer.id): in its queue \(consumer.id)\(depth), or being handled")
                } else {
                    found.append("\(sent), not yet handled by \(consumer.id): in its work, retry or dead-letter queue (--amqp-url tells which)")
                }
            }
        }
        await client?.close()
        let caveat = unread.isEmpty ? "" : " (not read: \(unread.joined(separator: "; ")))"
        if !found.isEmpty { return found.joined(separator: "; ") + caveat }
        if !handled.isEmpty {
            return handled.joined(separator: "; ") + ": the order should have moved on (see bizctl refusals and that service's log)" + caveat
        }
        return "nowhere yet: not sent by \(waiting.from)" + caveat
    }
}

extension StatusOptions {
    /// Each service's base URL: its default local port unless `--service id=URL` says otherwise.
    func serviceBases() throws -> [String: String] {
        var bases: [String: String] = [:]
        for spec in Provision.specs { bases[spec.id] = "http://127.0.0.1:\(spec.defaultPort)" }
        for entry in services {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, bases[parts[0]] != nil else {
                throw ValidationError("--service \(entry): expected id=URL with id one of \(bases.keys.sorted().joined(separator: ", "))")
            }
            bases[parts[0]] = parts[1]
        }
        return bases
    }
}
