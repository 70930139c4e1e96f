import Foundation
import Histogram
import Contracts
import Messaging

/// Latencies in microseconds, kept with HdrHistogram.
struct Latency: Sendable {
    var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    mutating func record(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) {
        let d = (to - from).components
        histogram.record(UInt64(max(0, d.seconds)) * 1_000_000 + UInt64(max(0, d.attoseconds) / 1_000_000_000_000))
    }
}

/// Every order the run placed, stepped along by the events and answers it reads: the web shop
/// places, the warehouse dispatches once the stock is reserved and finance cleared the order,
/// the driver app delivers, the bank feed pays the invoice. Each command goes out once and again
/// only when no answer came within `resendAfter` (same message_id).
actor Flow {
    struct Line: Sendable { let sku: String; let quantity: Int64 }
    struct Order: Sendable {
        let ref: String, customer: String, lines: [Line], total: Int64
        let placedAt: ContinuousClock.Instant
        let counted: Bool
        var acceptedAt: ContinuousClock.Instant?, reservedAt: ContinuousClock.Instant?, cleared = false
        var dispatchSent = false, deliverSentAt: ContinuousClock.Instant?, invoicedAt: ContinuousClock.Instant?
        var invoice: (number: String, amount: Int64)?, paySentAt: ContinuousClock.Instant?
        var completedAt: ContinuousClock.Instant?, failed: String?
        var terminal: Bool { completedAt != nil || failed != nil }
    }
    private struct Pending { let system: String; let message: OutgoingMessage; var lastSent: ContinuousClock.Instant }

    let run: String
    let data: DataSet
    let resendAfter: Duration
    private(set) var orders: [String: Order] = [:]
    private(set) var placedOrder: [String] = []
    private var pending: [String: Pending] = [:]
    private var outbox: [String: [OutgoingMessage]] = [:]
    private var random: SeededRandom
    private(set) var completedInWindow = 0
    private(set) var inFlight = 0
    private(set) var resends = 0
    private(set) var answers: [String: Int] = [:]          // "outcome reason" of bizops.command.outcome answers
    private(set) var seenEffects: [String: [String: Set<String>]] = [:]  // event → order → distinct effect ids
    private(set) var hostileAnswers: [String: String] = [:] // hostile tag → reason answered
    var placeAccepted = Latency(), acceptedReserved = Latency(), deliverInvoiced = Latency(), payCompleted = Latency(), placeCompleted = Latency()
    var measureFrom: ContinuousClock.Instant = .now
    var measureUntil: ContinuousClock.Instant?

    init(run: String, data: DataSet, seed: UInt64, resendAfter: Double) {
        self.run = run; self.data = data; self.resendAfter = .milliseconds(Int(resendAfter * 1000))
        random = SeededRandom(seed: seed ^ 0x5EED)
    }

    func setWindow(from: ContinuousClock.Instant) { measureFrom = from }
    func endWindow() { measureUntil = .now }

    // MARK: commands

    private func command(_ system: String, _ key: String, type: String? = nil, ref: String, _ body: [String: Any], id: String? = nil) {
        let messageId = id ?? UUID().uuidString.lowercased()
        let message = OutgoingMessage(exchange: Topology.ingress, routingKey: key, properties: MessageProperties(
            messageId: messageId, type: type, appId: "load-driver", userId: system, timestamp: Date(), correlationId: ref,
            replyTo: "\(system).replies"), body: try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        outbox[system, default: []].append(message)
        pending[messageId] = Pending(system: system, message: message, lastSent: .now)
    }

    /// The web shop places one more order (its time is when it was due, for an open loop).
    func place(at due: ContinuousClock.Instant) {
        let n = placedOrder.count + 1
        let ref = "LD-\(run)-\(n)"
        let customer = data.customers.randomElement(using: &random)!
        let count = Int.random(in: 1...min(3, data.skus.count), using: &random)
        let skus = Array(data.skus.shuffled(using: &random).prefix(count))
        let lines = skus.map { Line(sku: $0, quantity: Int64.random(in: 1...5, using: &random)) }
        let total = lines.reduce(Int64(0)) { $0 + $1.quantity * data.prices[$1.sku]! }
        orders[ref] = Order(ref: ref, customer: customer, lines: lines, total: total, placedAt: due, counted: due >= measureFrom)
        placedOrder.append(ref)
        inFlight += 1
        command("webshop", "order.place", type: "order.place.v2", ref: ref, [
            "orderRef": ref, "customerCode": customer, "lines": lines.map { ["sku": $0.sku, "quantity": $0.quantity] },
            "deliveryAddress": ["line1": "1 Load Road", "city": "Shanghai", "postalCode": "200000", "country": "CN"],
            "requestedDeliveryDate": "2027-01-31"])
    }

    func take(_ system: String, max: Int) -> [OutgoingMessage] {
        guard var list = outbox[system], !list.isEmpty else { return [] }
        let batch = Array(list.prefix(max))
        list.removeFirst(batch.count)
        outbox[system] = list
        return batch
    }

    func putBack(_ system: String, _ messages: [OutgoingMessage]) { outbox[system, default: []].insert(contentsOf: messages, at: 0) }

    /// Sends again, under the same message_id, every command with no answer for `resendAfter`.
    func resendOverdue() {
        let now = ContinuousClock.now
        for (id, p) in pending where now - p.lastSent > resendAfter {
            pending[id]!.lastSent = now
            outbox[p.system, default: []].append(p.message)
            resends += 1
        }
    }

    // MARK: what comes back

    private static func json(_ body: Data) -> [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }

    /// Answers on a system's reply queue.
    func answers(_ deliveries: [Delivery]) {
        for d in deliveries {
            let type = d.properties.type ?? ""
            if let tag = d.properties.correlationId, tag.hasPrefix("LD-HOSTILE-") {
                let body = Self.json(d.body)
                hostileAnswers[tag] = "\(body?["outcome"] as? String ?? type) \(body?["reasonCode"] as? String ?? "")"
                continue
            }
            guard let cause = d.properties.headers["causation_id"]?.description, let p = pending[cause] else { continue }
            if type == CommandOutcome.messageType, let body = Self.json(d.body) {
                let outcome = body["outcome"] as? String ?? "?", reason = body["reasonCode"] as? String ?? "?"
                answers["\(outcome) \(reason)", default: 0] += 1
                if outcome == "refused" { continue }  // sent again after resendAfter, as an integrator would
                if outcome == "rejected", let ref = p.message.properties.correlationId { fail(ref, "command rejected: \(reason)") }
            }
            pending[cause] = nil
        }
    }

    /// Events from the observer queue on bizops.events.
    func events(_ deliveries: [Delivery]) {
        let now = ContinuousClock.now
        for d in deliveries {
            guard let body = Self.json(d.body), let ref = body["orderRef"] as? String, var order = orders[ref] else { continue }
            let key = d.routingKey
            // One effect, however often it is delivered: an invoice by its number, anything else by its message_id.
            let effect = key == "finance.invoice.issued" ? body["invoiceNumber"] as? String ?? "" : d.properties.messageId ?? ""
            seenEffects[key, default: [:]][ref, default: []].insert(effect)
            switch key {
            case "sales.order.accepted":
                if order.acceptedAt == nil { order.acceptedAt = now; if order.counted { placeAccepted.record(order.placedAt, now) } }
            case "logistics.stock.reserved":
                if order.reservedAt == nil {
                    order.reservedAt = now
                    if order.counted, let a = order.acceptedAt { acceptedReserved.record(a, now) }
                }
            case "finance.order.cleared": order.cleared = true
            case "logistics.shipment.dispatched":
                if order.deliverSentAt == nil {
                    order.deliverSentAt = now
                    command("driver-app", "shipment.deliver", ref: ref, ["orderRef": ref, "signedBy": "Load driver",
                                                                         "signedAt": ISO8601DateFormatter().string(from: Date())])
                }
            case "finance.invoice.issued":
                if order.invoice == nil, body["kind"] as? String == "final", let number = body["invoiceNumber"] as? String,
                   let amount = (body["amount"] as? NSNumber)?.int64Value {
                    order.invoice = (number, amount)
                    order.invoicedAt = now
                    if order.counted, let s = order.deliverSentAt { deliverInvoiced.record(s, now) }
                    order.paySentAt = now
                    command("bank-feed", "payment.record", ref: ref, ["amount": amount, "currency": "CNY", "invoiceNumber": number,
                                                                       "bankReference": "LD-PAY-\(ref)", "valueDate": Self.today])
                }
            case "sales.order.completed":
                if order.completedAt == nil, order.failed == nil {
                    order.completedAt = now
                    inFlight -= 1
                    if order.counted {
                        if let p = order.paySentAt { payCompleted.record(p, now) }
                        placeCompleted.record(order.placedAt, now)
                    }
                    // Throughput: every completion inside the window, whenever its order was placed.
                    if now >= measureFrom, measureUntil.map({ now <= $0 }) ?? true { completedInWindow += 1 }
                    forget(ref)
                }
            case "sales.order.rejected", "sales.order.cancelled":
                orders[ref] = order
                fail(ref, "\(key): \(body["reasonCode"] as? String ?? "")")
                continue
            default: break
            }
            if order.reservedAt != nil, order.cleared, !order.dispatchSent {
                order.dispatchSent = true
                command("warehouse", "shipment.dispatch", ref: ref, ["orderRef": ref, "carrier": "SF Express", "trackingNumber": "SF-\(ref)"])
            }
            orders[ref] = order
        }
    }

    private func fail(_ ref: String, _ why: String) {
        guard var order = orders[ref], !order.terminal else { return }
        order.failed = why
        orders[ref] = order
        inFlight -= 1
        forget(ref)
    }

    /// A finished order's commands are not sent again, answered or not.
    private func forget(_ ref: String) {
        for (id, p) in pending where p.message.properties.correlationId == ref { pending[id] = nil }
    }

    static let today: String = {
        let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd"; f.timeZone = TimeZone(identifier: "UTC"); f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: Date())
    }()

    // MARK: totals

    var placed: Int { placedOrder.count }
    var completed: Int { orders.values.filter { $0.completedAt != nil }.count }
    var failed: [String: Int] { Dictionary(grouping: orders.values.compactMap(\.failed), by: { $0 }).mapValues(\.count) }
    var unanswered: Int { pending.count }
    var queued: Int { outbox.values.map(\.count).reduce(0, +) }

    /// Where the unfinished orders stopped: the step each waits for.
    var stuck: [String: Int] {
        var steps: [String: Int] = [:]
        for o in orders.values where !o.terminal {
            let step = o.acceptedAt == nil ? "accepted" : o.reservedAt == nil ? "reserved" : !o.cleared ? "cleared"
                : o.deliverSentAt == nil ? "dispatched" : o.invoice == nil ? "invoiced" : "completed"
            steps["waiting for \(step)", default: 0] += 1
        }
        return steps
    }

    /// Effects the bus showed more than once per order (distinct invoice numbers, payments).
    var doubledOnBus: [String: Int] {
        var doubled: [String: Int] = [:]
        for key in ["finance.invoice.issued", "finance.payment.received", "finance.credit_note.issued"] {
            let n = (seenEffects[key] ?? [:]).values.filter { $0.count > (key == "finance.credit_note.issued" ? 0 : 1) }.count
            if n > 0 { doubled[key] = n }
        }
        return doubled
    }

    func snapshot() -> [Order] { placedOrder.compactMap { orders[$0] } }
}
