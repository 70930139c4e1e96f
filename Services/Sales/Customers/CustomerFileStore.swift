import Contracts
import Foundation
import SalesDomain
import Storage

/// A contact person at the customer.
struct CustomerContact: Codable, Sendable, Equatable {
    let name: String
    let role: String?
    let phone: String?
    let email: String?
}

/// The customer file's fields beyond the terms of sale (客户档案); nil keeps what is filed.
struct CustomerProfile: Sendable, Equatable {
    var taxId: String?, city: String?, industry: String?, contacts: [CustomerContact]?, needs: String?, purchaseIntent: String?
    var source: CustomerSource?, owner: String?, classification: CustomerClass?, keyAccount: Bool?
}

/// One thing that happened with a customer: a visit, a quote, a contract, an order, a complaint, a stage.
struct TimelineEntry: Codable, Sendable, Equatable {
    let id: Int64
    let kind: String
    let reference: String?
    let detail: String
    let actor: String?
    let at: Date
}

/// The customer file's statements: the profile, the duplicate check, the stage and the timeline.
struct CustomerFileStore {
    let tx: Transaction

    func exists(_ code: String) throws -> Bool {
        try !tx.query("SELECT 1 FROM customers WHERE code = $1", [.text(code)]).isEmpty
    }

    /// Registrations and renames wait for each other, so two at once cannot file one customer twice.
    func lockRegistrations() throws {
        try tx.execute("SELECT pg_advisory_xact_lock(hashtext('sales.customer-registration'))")
    }

    /// The tax id and city filed for a customer.
    func identity(_ code: String) throws -> (taxId: String?, city: String?)? {
        try tx.query("SELECT tax_id, city FROM customers WHERE code = $1", [.text(code)]).first.map {
            (try $0.optionalString("tax_id"), try $0.optionalString("city"))
        }
    }

    /// Another customer filed under the same tax id, or the same name in the same city.
    func duplicate(of code: String, name: String, taxId: String?, city: String?) throws -> String? {
        try tx.query("""
            SELECT code, name, tax_id, city FROM customers
            WHERE code <> $1 AND (lower(trim(tax_id)) = lower(trim($2)) OR lower(trim(name)) = lower(trim($3)))
            ORDER BY code
            """, [.text(code), taxId.map(PGValue.text) ?? .null, .text(name)]).first { row in
            CustomerLifecycle.sameCustomer(taxId: taxId, name: name, city: city, asTaxId: try row.optionalString("tax_id"),
                                           name: try row.string("name"), city: try row.optionalString("city"))
        }.map { try $0.string("code") }
    }

    /// Files what the profile gives; what it leaves out stays as filed.
    func saveProfile(_ code: String, _ p: CustomerProfile) throws {
        try tx.execute("""
            UPDATE customers SET tax_id = COALESCE($2, tax_id), city = COALESCE($3, city), industry = COALESCE($4, industry),
                contacts = COALESCE($5, contacts), needs = COALESCE($6, needs), purchase_intent = COALESCE($7, purchase_intent),
                source = COALESCE($8, source), owner = COALESCE($9, owner), classification = COALESCE($10, classification),
                key_account = COALESCE($11, key_account)
            WHERE code = $1
            """, [.text(code), p.taxId.map(PGValue.text) ?? .null, p.city.map(PGValue.text) ?? .null, p.industry.map(PGValue.text) ?? .null,
                  try p.contacts.map { .json(String(decoding: try JSONEncoder.contracts.encode($0), as: UTF8.self)) } ?? .null,
                  p.needs.map(PGValue.text) ?? .null, p.purchaseIntent.map(PGValue.text) ?? .null,
                  p.source.map { .text($0.rawValue) } ?? .null, p.owner.map(PGValue.text) ?? .null,
                  p.classification.map { .text($0.rawValue) } ?? .null, p.keyAccount.map(PGValue.bool) ?? .null])
    }

    /// The salesperson who owns the customer (an order from an outside system belongs to them).
    func owner(_ code: String) throws -> String? {
        try tx.query("SELECT owner FROM customers WHERE code = $1", [.text(code)]).first.flatMap { try $0.optionalString("owner") }
    }

    func note(_ code: String, _ kind: String, reference: String?, _ detail: String) throws {
        try tx.execute("INSERT INTO customer_timeline (customer_code, kind, reference, detail) VALUES ($1, $2, $3, $4)",
                       [.text(code), .text(kind), reference.map(PGValue.text) ?? .null, .text(detail)])
    }

    /// Records the activity on the timeline and moves the stage (and the class) as it says; true
    /// when either moved (the file changed).
    @discardableResult
    func record(_ code: String, _ activity: CustomerActivity, kind: String, reference: String?, _ detail: String) throws -> Bool {
        guard let row = try tx.query("SELECT stage, classification FROM customers WHERE code = $1 FOR UPDATE", [.text(code)]).first else { return false }
        let stage = try row.code("stage", as: CustomerStage.self), filed = try row.code("classification", as: CustomerClass.self)
        let next = CustomerLifecycle.after(stage, activity), classification = CustomerLifecycle.classification(filed, activity)
        try tx.execute("""
            UPDATE customers SET stage = $2, classification = $3, last_activity_at = now(),
                stage_changed_at = CASE WHEN stage <> $2 THEN now() ELSE stage_changed_at END
            WHERE code = $1
            """, [.text(code), .text(next.rawValue), .text(classification.rawValue)])
        try note(code, kind, reference: reference, detail)
        if next != stage { try note(code, "stage", reference: nil, "\(stage.rawValue) → \(next.rawValue) (\(kind))") }
        return next != stage || classification != filed
    }

    /// Customers quiet for long enough step one stage back (in batches); returns them.
    func stepBackQuiet(now: Date, limit: Int) throws -> [(code: String, from: CustomerStage, to: CustomerStage)] {
        let since = now.addingTimeInterval(-TimeInterval(CustomerLifecycle.quietDays * 86_400))
        var moved: [(String, CustomerStage, CustomerStage)] = []
        for row in try tx.query("""
            SELECT code, stage, last_activity_at, stage_changed_at FROM customers
            WHERE stage <> 'prospect' AND last_activity_at <= $1 AND stage_changed_at <= $1 ORDER BY code LIMIT $2 FOR UPDATE SKIP LOCKED
            """, [.timestamp(since), .int(Int64(limit))]) {
            let code = try row.string("code"), stage = try row.code("stage", as: CustomerStage.self)
            guard let back = CustomerLifecycle.afterQuiet(stage, lastActivity: try row.timestamp("last_activity_at"),
                                                          lastChange: try row.timestamp("stage_changed_at"), now: now) else { continue }
            try tx.execute("UPDATE customers SET stage = $2, stage_changed_at = $3 WHERE code = $1",
                           [.text(code), .text(back.rawValue), .timestamp(now)])
            try note(code, "stage", reference: nil, "\(stage.rawValue) → \(back.rawValue) (quiet for \(CustomerLifecycle.quietDays) days)")
            moved.append((code, stage, back))
        }
        return moved
    }

    /// The file as it is now, under its next version: what `sales.customer.changed` tells (nil: no such customer).
    func nextVersion(_ code: String) throws -> CustomerChanged? {
        guard let row = try tx.query("""
            UPDATE customers SET version = version + 1 WHERE code = $1
            RETURNING code, version, name, currency, stage, classification, key_account, owner, industry, city, contacts::text AS contacts
            """, [.text(code)]).first else { return nil }
        return CustomerChanged(customerCode: try row.string("code"), version: try row.int("version"), name: try row.string("name"),
                               currency: try row.string("currency"), stage: try row.string("stage"),
                               classification: try row.string("classification"), keyAccount: try row.bool("key_account"),
                               owner: try row.optionalString("owner"), industry: try row.optionalString("industry"),
                               city: try row.optionalString("city"),
                               contacts: try JSONDecoder().decode([CustomerChanged.Contact].self, from: Data(try row.string("contacts").utf8)))
    }

    func timeline(_ code: String, after: Int64, limit: Int) throws -> [TimelineEntry] {
        try tx.query("""
            SELECT id, kind, reference, detail, actor, at FROM customer_timeline WHERE customer_code = $1 AND id > $2 ORDER BY id LIMIT $3
            """, [.text(code), .int(after), .int(Int64(limit))]).map { row in
            TimelineEntry(id: try row.int("id"), kind: try row.string("kind"), reference: try row.optionalString("reference"),
                          detail: try row.string("detail"), actor: try row.optionalString("actor"), at: try row.timestamp("at"))
        }
    }
}
