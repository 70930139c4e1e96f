import Contracts
import CustomerServiceDomain
import Foundation
import Storage

/// A case as customer service keeps it, with what it knows of its order.
struct CaseRecord: Sendable {
    let id: UUID
    let status: CaseStatus
    let orderRef: String
    let customer: String?
    let orderLines: [OrderPlaced.Line]?
    let delivered: Bool
}

/// Every statement customer service runs when it changes something, behind typed methods,
/// inside the work's transaction.
struct CaseStore {
    let tx: Transaction

    func rememberOrder(_ order: OrderAccepted) throws {
        try tx.execute("INSERT INTO orders (order_ref, customer_code, lines) VALUES ($1, $2, $3) ON CONFLICT (order_ref) DO NOTHING",
                       [.text(order.orderRef), .text(order.customerCode),
                        .json(String(decoding: try JSONEncoder.contracts.encode(order.lines), as: UTF8.self))])
    }

    /// The customer of the delivered order; nil when the order is not known yet.
    func markDelivered(_ ref: String, on day: BusinessDate, signedBy: String) throws -> String? {
        try tx.query("UPDATE orders SET delivered_on = $2, signed_by = $3 WHERE order_ref = $1 RETURNING customer_code",
                     [.text(ref), .date(day.description), .text(signedBy)]).first.map { try $0.string("customer_code") }
    }

    /// Once per order; false when it was scheduled before.
    func scheduleRevisit(_ ref: String, customer: String, due: BusinessDate) throws -> Bool {
        try !tx.query("""
            INSERT INTO revisits (order_ref, customer_code, due_on, status) VALUES ($1, $2, $3, 'due')
            ON CONFLICT (order_ref) DO NOTHING RETURNING order_ref
            """, [.text(ref), .text(customer), .date(due.description)]).isEmpty
    }

    /// False when no revisit is due for the order.
    func completeRevisit(_ ref: String, satisfaction: Int, note: String?) throws -> Bool {
        try !tx.query("""
            UPDATE revisits SET status = 'done', satisfaction = $2, note = $3, done_at = now()
            WHERE order_ref = $1 AND status = 'due' RETURNING order_ref
            """, [.text(ref), .int(Int64(satisfaction)), note.map(PGValue.text) ?? .null]).isEmpty
    }

    /// Keeps the customer's file as sales told it; an older or repeated version changes nothing
    /// (returns false).
    func keepCustomer(_ file: CustomerChanged) throws -> Bool {
        let contacts = String(decoding: try JSONEncoder.contracts.encode(file.contacts), as: UTF8.self)
        return try tx.execute("""
            INSERT INTO customers (code, version, name, stage, classification, key_account, owner, city, contacts)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
            ON CONFLICT (code) DO UPDATE SET version = EXCLUDED.version, name = EXCLUDED.name, stage = EXCLUDED.stage,
                classification = EXCLUDED.classification, key_account = EXCLUDED.key_account, owner = EXCLUDED.owner,
                city = EXCLUDED.city, contacts = EXCLUDED.contacts
            WHERE customers.version < EXCLUDED.version
            """, [.text(file.customerCode), .int(file.version), .text(file.name), .text(file.stage), .text(file.classification),
                  .bool(file.keyAccount), file.owner.map(PGValue.text) ?? .null, file.city.map(PGValue.text) ?? .null,
                  .text(contacts)]).affectedRows > 0
    }

    func customer(ofOrder ref: String) throws -> String? {
        try tx.query("SELECT customer_code FROM orders WHERE order_ref = $1", [.text(ref)]).first.map { try $0.string("customer_code") }
    }

    func nextCaseNumber() throws -> String {
        "CS-" + String(format: "%06lld", try tx.query("SELECT nextval('case_number_seq') AS n").first!.int("n"))
    }

    func openCase(_ id: UUID, number: String, _ complaint: OpenComplaint, customer: String?, routedTo: String, deadline: Date,
                  correlationId: String, openedAt: Date) throws {
        try tx.execute("""
            INSERT INTO cases (id, number, channel, order_ref, customer_code, category, description, contact, routed_to, status,
                               deadline, correlation_id, opened_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12)
            """, [.uuid(id), .text(number), .text(complaint.channel), .text(complaint.orderRef), customer.map(PGValue.text) ?? .null,
                  .text(complaint.category), .text(complaint.description), complaint.contact.map(PGValue.text) ?? .null,
                  .text(routedTo), .timestamp(deadline), .text(correlationId), .timestamp(openedAt)])
    }

    /// The case and its order, the case locked.
    func lockCase(_ number: String) throws -> CaseRecord? {
        try tx.query("""
            SELECT c.id, c.status, c.order_ref, c.customer_code, o.lines::text AS lines, o.delivered_on IS NOT NULL AS delivered
            FROM cases c LEFT JOIN orders o ON o.order_ref = c.order_ref WHERE c.number = $1 FOR UPDATE OF c
            """, [.text(number)]).first.map { r in
            CaseRecord(id: try r.uuid("id"), status: try r.code("status", as: CaseStatus.self), orderRef: try r.string("order_ref"),
                       customer: try r.optionalString("customer_code"),
                       orderLines: try r.optionalString("lines").map { try JSONDecoder.contracts.decode([OrderPlaced.Line].self, from: Data($0.utf8)) },
                       delivered: try r.bool("delivered"))
        }
    }

    /// Locks the order, so two cases cannot authorise returns of the same goods side by side.
    func lockOrder(_ ref: String) throws {
        _ = try tx.query("SELECT 1 FROM orders WHERE order_ref = $1 FOR UPDATE", [.text(ref)])
    }

    /// What earlier cases of the order authorised to come back.
    func returnedBefore(_ ref: String) throws -> [ItemQuantity] {
        try tx.query("SELECT return_lines::text AS lines FROM cases WHERE order_ref = $1 AND return_lines IS NOT NULL", [.text(ref)])
            .flatMap { try JSONDecoder.contracts.decode([ItemQuantity].self, from: Data(try $0.string("lines").utf8)) }
    }

    func resolve(_ id: UUID, resolution: String, note: String?) throws {
        try tx.execute("UPDATE cases SET status = 'resolved', resolution = $2, resolution_note = $3, resolved_at = now() WHERE id = $1",
                       [.uuid(id), .text(resolution), note.map(PGValue.text) ?? .null])
    }

    func authoriseReturn(_ id: UUID, returnId: UUID, lines: [ItemQuantity], note: String?) throws {
        try tx.execute("""
            UPDATE cases SET status = 'return-authorised', resolution = 'return', resolution_note = $2, return_id = $3, return_lines = $4
            WHERE id = $1
            """, [.uuid(id), note.map(PGValue.text) ?? .null, .uuid(returnId), .json(String(decoding: try JSONEncoder.contracts.encode(lines), as: UTF8.self))])
    }

    /// The case number when a return-authorised case closed now; nil when it was not waiting.
    func closeCredited(_ id: UUID, note: String) throws -> String? {
        try tx.query("""
            UPDATE cases SET status = 'resolved', resolved_at = now(), resolution_note = concat_ws('; ', resolution_note, $2::text)
            WHERE id = $1 AND status = 'return-authorised' RETURNING number
            """, [.uuid(id), .text(note)]).first.map { try $0.string("number") }
    }

    /// Cases still open after their deadline, marked escalated (once each).
    func markEscalated(asOf: Date) throws -> [(event: ComplaintEscalated, correlationId: String?)] {
        try tx.query("""
            UPDATE cases SET escalated_at = $1 WHERE NOT (status = ANY($2::text[])) AND deadline < $1 AND escalated_at IS NULL
            RETURNING id, number, order_ref, customer_code, routed_to, deadline, correlation_id
            """, [.timestamp(asOf), .textArray(CaseStatus.allCases.filter(\.isClosed).map(\.rawValue))]).map { r in
            (ComplaintEscalated(caseId: try r.uuid("id"), caseNumber: try r.string("number"), orderRef: try r.string("order_ref"),
                                customerCode: try r.optionalString("customer_code"), routedTo: try r.string("routed_to"),
                                deadline: try r.timestamp("deadline"), asOf: asOf),
             try r.optionalString("correlation_id"))
        }
    }

    func log(_ caseId: UUID, _ entry: String) throws {
        try tx.execute("INSERT INTO case_log (case_id, entry) VALUES ($1, $2)", [.uuid(caseId), .text(entry)])
    }
}
