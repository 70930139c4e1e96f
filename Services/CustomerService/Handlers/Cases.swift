import Contracts
import CustomerServiceDomain
import Foundation
import Messaging
import Storage

/// Complaints from the first contact to the result, and the revisits after deliveries.
enum Cases {
    static func orderAccepted(_ order: OrderAccepted, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO orders (order_ref, customer_code, lines) VALUES ($1, $2, $3) ON CONFLICT (order_ref) DO NOTHING
            """, [.text(order.orderRef), .text(order.customerCode),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.lines), as: UTF8.self))])
    }

    /// Every delivery gets a call back a week later.
    static func delivered(_ event: ShipmentDelivered, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let customer = try tx.query("""
            UPDATE orders SET delivered_on = $2, signed_by = $3 WHERE order_ref = $1 RETURNING customer_code
            """, [.text(event.orderRef), .date(event.deliveredOn.description), .text(event.signedBy)]).first?.string("customer_code") else {
            // The acceptance has not reached customer service yet: try again later (it retries).
            throw RetryLater("customer service has not seen order \(event.orderRef) accepted yet")
        }
        let due = event.deliveredOn.adding(days: ComplaintPolicy.revisitAfterDays)
        let fresh = try tx.query("""
            INSERT INTO revisits (order_ref, customer_code, due_on, status) VALUES ($1, $2, $3, 'due')
            ON CONFLICT (order_ref) DO NOTHING RETURNING order_ref
            """, [.text(event.orderRef), .text(customer), .date(due.description)])
        if !fresh.isEmpty { try work.publish(RevisitScheduled(orderRef: event.orderRef, customerCode: customer, dueOn: due)) }
    }

    /// Accepted at once, with a committed deadline and the department it is routed to.
    static func open(_ complaint: OpenComplaint, openedAt: Date, _ work: UnitOfWork) throws -> ComplaintOpened {
        let tx = work.transaction
        let customer = try tx.query("SELECT customer_code FROM orders WHERE order_ref = $1", [.text(complaint.orderRef)])
            .first?.string("customer_code")
        let id = UUID()
        let number = "CS-" + String(format: "%06lld", try tx.query("SELECT nextval('case_number_seq') AS n").first!.int("n"))
        let commitment = ComplaintPolicy.commitment(category: complaint.category)
        let deadline = ComplaintPolicy.deadline(category: complaint.category, openedAt: openedAt)
        try tx.execute("""
            INSERT INTO cases (id, number, channel, order_ref, customer_code, category, description, contact, routed_to, status,
                               deadline, correlation_id, opened_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12)
            """, [.uuid(id), .text(number), .text(complaint.channel), .text(complaint.orderRef), customer.map(PGValue.text) ?? .null,
                  .text(complaint.category), .text(complaint.description), complaint.contact.map(PGValue.text) ?? .null,
                  .text(commitment.routedTo), .timestamp(deadline), .text(work.correlationId ?? complaint.orderRef), .timestamp(openedAt)])
        try log(id, "opened via \(complaint.channel), routed to \(commitment.routedTo), due \(deadline.formatted(.iso8601))", tx)
        let event = ComplaintOpened(caseId: id, caseNumber: number, orderRef: complaint.orderRef, customerCode: customer,
                                    channel: complaint.channel, category: complaint.category, routedTo: commitment.routedTo,
                                    deadline: deadline)
        try work.publish(event, correlationId: complaint.orderRef)
        if customer == nil {
            work.logger.warning("complaint about an order customer service has not seen", metadata: ["order_ref": "\(complaint.orderRef)"])
        }
        work.logger.info("complaint opened", metadata: ["case": "\(number)", "routed_to": "\(commitment.routedTo)"])
        return event
    }

    /// A person resolves the case. A return authorises the goods back; the case closes when
    /// finance's credit note for them arrives. Other results close it at once.
    static func resolve(_ number: String, resolution: String, note: String?, lines: [ItemQuantity], _ work: UnitOfWork) throws -> String {
        let tx = work.transaction
        guard let row = try tx.query("""
            SELECT c.id, c.status, c.order_ref, c.customer_code, o.lines::text AS lines, o.delivered_on
            FROM cases c LEFT JOIN orders o ON o.order_ref = c.order_ref WHERE c.number = $1 FOR UPDATE OF c
            """, [.text(number)]).first else { throw Refusal(.notFound, "no case \(number)") }
        guard try row.string("status") == "open" else { throw Refusal(.notOpen, "case \(number) is \(try row.string("status"))") }
        let id = try row.uuid("id"), orderRef = try row.string("order_ref")
        work.correlate(with: orderRef)
        guard resolution == "return" else {
            try tx.execute("""
                UPDATE cases SET status = 'resolved', resolution = $2, resolution_note = $3, resolved_at = now() WHERE id = $1
                """, [.uuid(id), .text(resolution), note.map(PGValue.text) ?? .null])
            try log(id, "resolved: \(resolution)" + (note.map { " (\($0))" } ?? ""), tx)
            try work.publish(ComplaintResolved(caseId: id, caseNumber: number, orderRef: orderRef, resolution: resolution, note: note))
            return "resolved"
        }
        guard let customer = try row.optionalString("customer_code"), let linesText = try row.optionalString("lines"),
              try !row.isNull("delivered_on") else {
            throw Refusal(.notDelivered, "order \(orderRef) has not been delivered: nothing to return")
        }
        // Lock the order so two cases cannot authorise returns of the same goods side by side.
        _ = try tx.query("SELECT 1 FROM orders WHERE order_ref = $1 FOR UPDATE", [.text(orderRef)])
        var ordered = Dictionary(try JSONDecoder.contracts.decode([OrderPlaced.Line].self, from: Data(linesText.utf8))
                                    .map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
        for earlier in try tx.query("SELECT return_lines::text AS lines FROM cases WHERE order_ref = $1 AND return_lines IS NOT NULL",
                                    [.text(orderRef)]) {
            for line in try JSONDecoder.contracts.decode([ItemQuantity].self, from: Data(try earlier.string("lines").utf8)) {
                ordered[line.sku, default: 0] -= line.quantity
            }
        }
        if let problem = ComplaintPolicy.returnProblem(requested: lines.map { ($0.sku, $0.quantity) }, ordered: ordered) {
            throw Refusal(.invalidReturn, problem)
        }
        let returnId = UUID()
        try tx.execute("""
            UPDATE cases SET status = 'return-authorised', resolution = 'return', resolution_note = $2, return_id = $3,
                             return_lines = $4 WHERE id = $1
            """, [.uuid(id), note.map(PGValue.text) ?? .null, .uuid(returnId),
                  .json(String(decoding: try JSONEncoder.contracts.encode(lines), as: UTF8.self))])
        try log(id, "return authorised: " + lines.map { "\($0.quantity) × \($0.sku)" }.joined(separator: ", "), tx)
        try work.publish(ReturnAuthorised(returnId: returnId, caseId: id, orderRef: orderRef, customerCode: customer, lines: lines))
        return "return-authorised"
    }

    /// Finance's credit note for a return closes the case.
    static func creditNoteIssued(_ event: CreditNoteIssued, _ work: UnitOfWork) throws {
        guard let caseId = event.caseId else { return }
        let tx = work.transaction
        guard let row = try tx.query("""
            UPDATE cases SET status = 'resolved', resolved_at = now(),
                   resolution_note = concat_ws('; ', resolution_note, $2::text)
            WHERE id = $1 AND status = 'return-authorised' RETURNING number
            """, [.uuid(caseId), .text("credit note \(event.creditNoteNumber) for \(event.amount) \(event.currency)")]).first else { return }
        try log(caseId, "credit note \(event.creditNoteNumber) issued for \(event.amount) \(event.currency)", tx)
        try work.publish(ComplaintResolved(caseId: caseId, caseNumber: try row.string("number"), orderRef: event.orderRef,
                                              resolution: "return", note: "credit note \(event.creditNoteNumber)"))
    }

    /// Cases still open after their committed deadline are escalated, once each.
    static func escalate(asOf: Date, _ work: UnitOfWork) throws -> [ComplaintEscalated] {
        var escalated: [ComplaintEscalated] = []
        for row in try work.transaction.query("""
            UPDATE cases SET escalated_at = $1 WHERE status <> 'resolved' AND deadline < $1 AND escalated_at IS NULL
            RETURNING id, number, order_ref, customer_code, routed_to, deadline, correlation_id
            """, [.timestamp(asOf)]) {
            let event = ComplaintEscalated(caseId: try row.uuid("id"), caseNumber: try row.string("number"),
                                           orderRef: try row.string("order_ref"), customerCode: try row.optionalString("customer_code"),
                                           routedTo: try row.string("routed_to"), deadline: try row.timestamp("deadline"), asOf: asOf)
            try log(event.caseId, "escalated: deadline passed \(event.hoursLate) h ago, still with \(event.routedTo)", work.transaction)
            try work.publish(event, correlationId: try row.optionalString("correlation_id"))
            escalated.append(event)
        }
        if !escalated.isEmpty { work.logger.warning("complaints past their deadline escalated", metadata: ["count": "\(escalated.count)"]) }
        return escalated
    }

    static func log(_ caseId: UUID, _ entry: String, _ tx: Transaction) throws {
        try tx.execute("INSERT INTO case_log (case_id, entry) VALUES ($1, $2)", [.uuid(caseId), .text(entry)])
    }
}
