import Contracts
import Foundation
import SalesDomain
import Storage

/// A contract as its handlers need it, locked.
struct LockedContract: Sendable {
    let contractNo: String, quoteNo: String, customer: String, currency: String, owner: String, status: ContractStatus, revision: Int
}

struct ContractReviewView: Codable, Sendable, Equatable {
    let reviewer: String
    let outcome: String
    let remarks: String?
    /// The person (legal) or the department's service that answered.
    let reviewedBy: String?
    /// The revision whose answer this one carries, when the revision did not touch what the reviewer reviews.
    let carriedFrom: Int64?
    let reviewedAt: Date?
}

struct ContractRevisionView: Codable, Sendable, Equatable {
    let revision: Int64
    let terms: ContractTerms
    let value: Int64
    let note: String?
    let askedBy: String
    let askedAt: Date
    let reviews: [ContractReviewView]
}

struct ContractView: Codable, Sendable, Equatable {
    let contractNo: String
    let quoteNo: String
    let customerCode: String
    let currency: String
    let owner: String
    let status: String
    /// The current revision (the one reviewed and signed).
    let revision: Int64
    let signedBy: String?
    let signedAt: Date?
    let createdAt: Date
    let updatedAt: Date
    let seq: Int64
    /// Every revision with its reviews, oldest first (in `GET /contracts/{contractNo}` only).
    let revisions: [ContractRevisionView]?
}

/// Contracts' statements, inside the work's (or the read's) transaction.
struct ContractStore {
    let tx: Transaction

    /// Opens the contract if it is new; when another request opened it meanwhile it is simply there to lock.
    /// False when the quote already has another contract.
    func open(_ contractNo: String, quote: LockedQuote, owner: String) throws -> Bool {
        try tx.execute("""
            INSERT INTO contracts (contract_no, quote_no, customer_code, currency, owner, status) VALUES ($1, $2, $3, $4, $5, 'draft')
            ON CONFLICT DO NOTHING
            """, [.text(contractNo), .text(quote.quoteNo), .text(quote.customer), .text(quote.currency), .text(owner)])
        return try tx.query("SELECT 1 FROM contracts WHERE contract_no = $1", [.text(contractNo)]).isEmpty == false
    }

    func contractFor(quote quoteNo: String) throws -> String? {
        try tx.query("SELECT contract_no FROM contracts WHERE quote_no = $1", [.text(quoteNo)]).first.map { try $0.string("contract_no") }
    }

    func lock(_ contractNo: String) throws -> LockedContract? {
        try tx.query("SELECT quote_no, customer_code, currency, owner, status, revision FROM contracts WHERE contract_no = $1 FOR UPDATE",
                     [.text(contractNo)]).first.map { row in
            LockedContract(contractNo: contractNo, quoteNo: try row.string("quote_no"), customer: try row.string("customer_code"),
                           currency: try row.string("currency"), owner: try row.string("owner"),
                           status: try row.code("status", as: ContractStatus.self), revision: Int(try row.int("revision")))
        }
    }

    func terms(_ contractNo: String, revision: Int) throws -> (terms: ContractTerms, note: String?)? {
        try tx.query("SELECT terms::text AS terms, note FROM contract_revisions WHERE contract_no = $1 AND revision = $2",
                     [.text(contractNo), .int(Int64(revision))]).first.map { (try $0.json("terms"), try $0.optionalString("note")) }
    }

    /// The next revision, current from now on.
    func addRevision(_ contract: LockedContract, _ terms: ContractTerms, value: Int64, note: String?, by person: String) throws -> Int {
        let revision = contract.revision + 1
        try tx.execute("""
            INSERT INTO contract_revisions (contract_no, revision, terms, value, note, asked_by) VALUES ($1, $2, $3, $4, $5, $6)
            """, [.text(contract.contractNo), .int(Int64(revision)), .json(String(decoding: try JSONEncoder.contracts.encode(terms), as: UTF8.self)),
                  .int(value), note.map(PGValue.text) ?? .null, .text(person)])
        try tx.execute("UPDATE contracts SET revision = $2, updated_at = now() WHERE contract_no = $1",
                       [.text(contract.contractNo), .int(Int64(revision))])
        return revision
    }

    /// A review waiting for the reviewer, or the answer carried from the revision before.
    func addReview(_ contractNo: String, revision: Int, _ reviewer: Reviewer, carryingFrom previous: Int?) throws {
        if let previous {
            try tx.execute("""
                INSERT INTO contract_reviews (contract_no, revision, reviewer, outcome, remarks, reviewed_by, carried_from, message_id, reviewed_at)
                SELECT contract_no, $2, reviewer, outcome, remarks, reviewed_by, COALESCE(carried_from, revision), message_id, reviewed_at
                FROM contract_reviews WHERE contract_no = $1 AND revision = $3 AND reviewer = $4
                """, [.text(contractNo), .int(Int64(revision)), .int(Int64(previous)), .text(reviewer.rawValue)])
        } else {
            try tx.execute("INSERT INTO contract_reviews (contract_no, revision, reviewer, outcome) VALUES ($1, $2, $3, 'pending')",
                           [.text(contractNo), .int(Int64(revision)), .text(reviewer.rawValue)])
        }
    }

    /// Records an answer to a review still waiting; false when it is not waiting (answered, or another revision's).
    func answer(_ contractNo: String, revision: Int, _ reviewer: Reviewer, _ outcome: ReviewOutcome, remarks: String, by: String,
                messageId: UUID?) throws -> Bool {
        try !tx.query("""
            UPDATE contract_reviews SET outcome = $4, remarks = $5, reviewed_by = $6, message_id = $7, reviewed_at = now()
            WHERE contract_no = $1 AND revision = $2 AND reviewer = $3 AND outcome = 'pending'
            RETURNING reviewer
            """, [.text(contractNo), .int(Int64(revision)), .text(reviewer.rawValue), .text(outcome.rawValue), .text(remarks), .text(by),
                  messageId.map(PGValue.uuid) ?? .null]).isEmpty
    }

    func outcomes(_ contractNo: String, revision: Int) throws -> [Reviewer: ReviewOutcome] {
        var outcomes: [Reviewer: ReviewOutcome] = [:]
        for row in try tx.query("SELECT reviewer, outcome FROM contract_reviews WHERE contract_no = $1 AND revision = $2",
                                [.text(contractNo), .int(Int64(revision))]) {
            outcomes[try row.code("reviewer", as: Reviewer.self)] = try row.code("outcome", as: ReviewOutcome.self)
        }
        return outcomes
    }

    func sign(_ contractNo: String, by person: String) throws {
        try tx.execute("UPDATE contracts SET status = 'signed', signed_by = $2, signed_at = now(), updated_at = now() WHERE contract_no = $1",
                       [.text(contractNo), .text(person)])
    }

    // MARK: reads

    func contract(_ contractNo: String) throws -> ContractView? {
        guard let found = try contracts(contractNo: contractNo, customer: nil, status: nil, after: nil, limit: 1).first else { return nil }
        var reviews: [Int64: [ContractReviewView]] = [:]
        for row in try tx.query("""
            SELECT revision, reviewer, outcome, remarks, reviewed_by, carried_from, reviewed_at FROM contract_reviews
            WHERE contract_no = $1 ORDER BY revision, reviewer
            """, [.text(contractNo)]) {
            reviews[try row.int("revision"), default: []].append(ContractReviewView(
                reviewer: try row.string("reviewer"), outcome: try row.string("outcome"), remarks: try row.optionalString("remarks"),
                reviewedBy: try row.optionalString("reviewed_by"), carriedFrom: try row.optionalInt("carried_from"),
                reviewedAt: try row.optionalTimestamp("reviewed_at")))
        }
        let revisions = try tx.query("""
            SELECT revision, terms::text AS terms, value, note, asked_by, asked_at FROM contract_revisions WHERE contract_no = $1 ORDER BY revision
            """, [.text(contractNo)]).map { row in
            ContractRevisionView(revision: try row.int("revision"), terms: try row.json("terms"), value: try row.int("value"),
                                 note: try row.optionalString("note"), askedBy: try row.string("asked_by"), askedAt: try row.timestamp("asked_at"),
                                 reviews: reviews[try row.int("revision")] ?? [])
        }
        return ContractView(contractNo: found.contractNo, quoteNo: found.quoteNo, customerCode: found.customerCode, currency: found.currency,
                            owner: found.owner, status: found.status, revision: found.revision, signedBy: found.signedBy,
                            signedAt: found.signedAt, createdAt: found.createdAt, updatedAt: found.updatedAt, seq: found.seq, revisions: revisions)
    }

    func contracts(contractNo: String? = nil, customer: String?, status: String?, after: Int64?, limit: Int) throws -> [ContractView] {
        try tx.query("""
            SELECT contract_no, quote_no, customer_code, currency, owner, status, revision, signed_by, signed_at, created_at, updated_at, seq
            FROM contracts WHERE ($1::text IS NULL OR contract_no = $1) AND ($2::text IS NULL OR customer_code = $2)
              AND ($3::text IS NULL OR status = $3) AND seq > $4 AND revision > 0
            ORDER BY seq LIMIT $5
            """, [contractNo.map(PGValue.text) ?? .null, customer.map(PGValue.text) ?? .null, status.map(PGValue.text) ?? .null,
                  .int(after ?? 0), .int(Int64(limit))]).map { row in
            ContractView(contractNo: try row.string("contract_no"), quoteNo: try row.string("quote_no"), customerCode: try row.string("customer_code"),
                         currency: try row.string("currency"), owner: try row.string("owner"), status: try row.string("status"),
                         revision: try row.int("revision"), signedBy: try row.optionalString("signed_by"),
                         signedAt: try row.optionalTimestamp("signed_at"), createdAt: try row.timestamp("created_at"),
                         updatedAt: try row.timestamp("updated_at"), seq: try row.int("seq"), revisions: nil)
        }
    }
}
