import Foundation

/// The books, checked order by order through the services' APIs (paging through their lists)
/// once the run is quiet: one order per reference in one terminal state; one final invoice per
/// completed order, of the order's total, paid once and in full; each line's stock reserved and
/// dispatched once; one journal entry per invoice and per payment; the trial balance at zero.
struct Books: Codable, Sendable {
    var orders = 0, completed = 0, lost = 0, notTerminal = 0
    var doubled: [String: Int] = [:]
    var problems: [String] = []
    var trialBalance: [String: Int64] = [:]
    var balanced = true
    var seconds = 0.0

    var clean: Bool { lost == 0 && notTerminal == 0 && doubled.isEmpty && problems.isEmpty && balanced }

    private mutating func problem(_ text: String) { if problems.count < 25 { problems.append(text) } else if problems.count == 25 { problems.append("…") } }
    private mutating func double(_ what: String) { doubled[what, default: 0] += 1 }

    static func check(_ placed: [Flow.Order], data: DataSet, api: HTTP, ports: @escaping @Sendable (String) -> [Int]) async throws -> Books {
        let start = ContinuousClock.now
        var books = Books()
        books.orders = placed.count
        let mine = Dictionary(uniqueKeysWithValues: placed.map { ($0.ref, $0) })

        // Sales: every order of every customer of the run.
        var sales: [String: [[String: Any]]] = [:]
        var invoices: [String: [[String: Any]]] = [:]
        for customer in data.customers {
            for o in try await api.all(ports: ports("sales"), "/orders?customer=\(customer)&limit=500", as: "zhou.ops") {
                if let ref = o["orderRef"] as? String { sales[ref, default: []].append(o) }
            }
            for i in try await api.all(ports: ports("finance"), "/invoices?customer=\(customer)&limit=1000", as: "zhou.ops") {
                if let ref = i["orderRef"] as? String { invoices[ref, default: []].append(i) }
            }
        }
        var completedRefs: [String] = []
        for order in placed {
            guard let rows = sales[order.ref] else { books.lost += 1; books.problem("\(order.ref): sales has no such order"); continue }
            if rows.count > 1 { books.double("orders"); books.problem("\(order.ref): \(rows.count) orders in sales") }
            let status = rows[0]["status"] as? String ?? "?"
            switch status {
            case "completed": books.completed += 1; completedRefs.append(order.ref)
            case "rejected", "cancelled": break
            default: books.notTerminal += 1; books.problem("\(order.ref): still \(status)")
            }
            if status == "completed", let total = (rows[0]["total"] as? NSNumber)?.int64Value, total != order.total {
                books.problem("\(order.ref): sales' total \(total), the price list's \(order.total)")
            }
            let finals = (invoices[order.ref] ?? []).filter { $0["kind"] as? String == "final" }
            if status == "completed" {
                if finals.isEmpty { books.problem("\(order.ref): completed without a final invoice") }
                if finals.count > 1 { books.double("final invoices") }
                for invoice in finals {
                    let amount = (invoice["amount"] as? NSNumber)?.int64Value, outstanding = (invoice["outstanding"] as? NSNumber)?.int64Value
                    if amount != order.total { books.problem("\(order.ref): invoice of \(amount ?? -1), order total \(order.total)") }
                    if outstanding != 0 || invoice["status"] as? String != "paid" {
                        books.problem("\(order.ref): invoice \(invoice["invoiceNumber"] ?? "?") is \(invoice["status"] ?? "?") with \(outstanding ?? -1) outstanding")
                    }
                }
            }
        }
        // Logistics: every movement of every SKU of the run, summed per order and line.
        var reserved: [String: Int64] = [:], dispatched: [String: Int64] = [:], reserveRows: [String: Int] = [:]
        for sku in data.skus {
            for m in try await api.all(ports: ports("logistics"), "/movements?sku=\(sku)&limit=1000", as: "zhou.ops") {
                guard let ref = m["orderRef"] as? String, mine[ref] != nil else { continue }
                let key = "\(ref) \(sku)"
                switch m["kind"] as? String {
                case "reserve": reserved[key, default: 0] += (m["reservedDelta"] as? NSNumber)?.int64Value ?? 0; reserveRows[key, default: 0] += 1
                case "dispatch": dispatched[key, default: 0] -= (m["onHandDelta"] as? NSNumber)?.int64Value ?? 0
                default: break
                }
            }
        }
        for ref in completedRefs {
            for line in mine[ref]!.lines {
                let key = "\(ref) \(line.sku)"
                if (reserved[key] ?? 0) > line.quantity { books.double("reservations") }
                if (dispatched[key] ?? 0) > line.quantity { books.double("stock dispatched") }
                if (dispatched[key] ?? 0) < line.quantity { books.problem("\(key): \(dispatched[key] ?? 0) of \(line.quantity) dispatched") }
                if (reserved[key] ?? 0) < line.quantity { books.problem("\(key): \(reserved[key] ?? 0) of \(line.quantity) reserved") }
            }
        }

        // Finance's journal, paged through once: one entry per invoice and one per payment of
        // the run's completed orders, matched by the exact reference.
        var entries: [String: Int] = [:]
        for e in try await api.all(ports: ports("finance"), "/journal?limit=1000", as: "zhou.ops") {
            if let reference = e["reference"] as? String { entries[reference, default: 0] += 1 }
        }
        for ref in completedRefs {
            let invoice = (invoices[ref] ?? []).first { $0["kind"] as? String == "final" }?["invoiceNumber"] as? String ?? "-"
            let issued = entries[invoice] ?? 0, paid = entries["LD-PAY-\(ref)"] ?? 0
            if issued > 1 { books.double("journal entries of invoices") } else if issued == 0 { books.problem("\(ref): no journal entry for its invoice") }
            if paid > 1 { books.double("payments") } else if paid == 0 { books.problem("\(ref): no journal entry for its payment") }
        }

        // Each customer's account: every invoice paid, no money left over as credit (an overpayment
        // or a doubled payment would be).
        for customer in data.customers {
            let account = try await api.call("GET", ports: ports("finance"), "/customers/\(customer)/account", as: "zhou.ops") as? [String: Any]
            let outstanding = (account?["outstanding"] as? NSNumber)?.int64Value ?? -1
            let credit = (account?["credit"] as? [String: Any] ?? [:]).values.compactMap { ($0 as? NSNumber)?.int64Value }.reduce(0, +)
            if outstanding != 0 || credit != 0 { books.problem("\(customer): \(outstanding) outstanding, \(credit) credit") }
            if credit > 0 { books.double("payments (customer credit)") }
        }

        // The trial balance of the whole ledger (finance also enforces it entry by entry).
        if let tb = try await api.call("GET", ports: ports("finance"), "/trial-balance", as: "zhou.ops") as? [String: Any],
           let lines = tb["lines"] as? [[String: Any]] {
            for line in lines {
                let currency = line["currency"] as? String ?? "?"
                books.trialBalance[currency, default: 0] += (line["balance"] as? NSNumber)?.int64Value ?? 0
            }
            books.balanced = books.trialBalance.values.allSatisfy { $0 == 0 }
        } else { books.balanced = false; books.problem("finance's trial balance could not be read") }
        let d = (ContinuousClock.now - start).components
        books.seconds = Double(d.seconds) + Double(d.attoseconds) / 1e18
        return books
    }
}
