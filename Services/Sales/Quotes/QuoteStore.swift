import Contracts
import Foundation
import SalesDomain
import Storage

/// A quote as its handlers need it, locked.
struct LockedQuote: Sendable {
    let quoteNo: String, customer: String, currency: String, owner: String, status: QuoteStatus, currentVersion: Int?
}

/// One version as kept.
struct QuoteVersionView: Codable, Sendable, Equatable {
    let version: Int64
    let status: String
    let stage: QuoteStage
    let validUntil: String
    let lines: [QuoteLine]
    let serviceTerms: String?
    let paymentTerms: AgreedPaymentTerms?
    let note: String?
    /// The deepest discount below the list, in hundredths of a percent.
    let discount: Int64
    /// The approval request it waited for, when it was beyond its author's limit.
    let approvalId: UUID?
    let askedBy: String
    let askedAt: Date
    let sentAt: Date?

    var terms: QuoteTerms { QuoteTerms(stage: stage, validUntil: validUntil, lines: lines, serviceTerms: serviceTerms, paymentTerms: paymentTerms) }
}

struct QuoteView: Codable, Sendable, Equatable {
    let quoteNo: String
    let customerCode: String
    let currency: String
    /// The salesperson who opened it.
    let owner: String
    let status: String
    let currentVersion: Int64?
    let createdAt: Date
    let updatedAt: Date
    /// The keyset cursor of lists of quotes.
    let seq: Int64
    /// Every version, oldest first (in `GET /quotes/{quoteNo}` only).
    let versions: [QuoteVersionView]?
}

/// Quotes' statements, inside the work's (or the read's) transaction.
struct QuoteStore {
    let tx: Transaction

    /// Opens the quote if it is new (its first version makes it); when another request opened
    /// it meanwhile, it is simply there to lock.
    func open(_ quoteNo: String, customer: String, currency: String, owner: String) throws {
        try tx.execute("""
            INSERT INTO quotes (quote_no, customer_code, currency, owner, status) VALUES ($1, $2, $3, $4, 'open')
            ON CONFLICT (quote_no) DO NOTHING
            """, [.text(quoteNo), .text(customer), .text(currency), .text(owner)])
    }

    func lock(_ quoteNo: String) throws -> LockedQuote? {
        try tx.query("SELECT customer_code, currency, owner, status, current_version FROM quotes WHERE quote_no = $1 FOR UPDATE",
                     [.text(quoteNo)]).first.map { row in
            LockedQuote(quoteNo: quoteNo, customer: try row.string("customer_code"), currency: try row.string("currency"),
                        owner: try row.string("owner"), status: try row.code("status", as: QuoteStatus.self),
                        currentVersion: try row.optionalInt("current_version").map(Int.init))
        }
    }

    /// A new version, numbered after the last one.
    func addVersion(_ quoteNo: String, _ terms: QuoteTerms, note: String?, discount: Int64, status: QuoteVersionStatus, askedBy: String) throws -> Int {
        let row = try tx.query("""
            INSERT INTO quote_versions (quote_no, version, stage, terms, valid_until, discount, note, status, asked_by, sent_at)
            SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $7 = 'current' THEN now() END
            FROM quote_versions WHERE quote_no = $1
            RETURNING version
            """, [.text(quoteNo), .text(terms.stage.rawValue), .json(String(decoding: try JSONEncoder.contracts.encode(terms), as: UTF8.self)),
                  .date(terms.validUntil), .int(discount), note.map(PGValue.text) ?? .null, .text(status.rawValue), .text(askedBy)]).first!
        return Int(try row.int("version"))
    }

    func setApproval(_ quoteNo: String, version: Int, _ id: UUID) throws {
        try tx.execute("UPDATE quote_versions SET approval_id = $3 WHERE quote_no = $1 AND version = $2",
                       [.text(quoteNo), .int(Int64(version)), .uuid(id)])
    }

    func setVersionStatus(_ quoteNo: String, version: Int, _ status: QuoteVersionStatus) throws {
        try tx.execute("""
            UPDATE quote_versions SET status = $3, sent_at = CASE WHEN $3 = 'current' THEN now() ELSE sent_at END
            WHERE quote_no = $1 AND version = $2
            """, [.text(quoteNo), .int(Int64(version)), .text(status.rawValue)])
    }

    /// Versions still waiting for approval become withdrawn: a newer one was asked for.
    func withdrawPending(_ quoteNo: String) throws {
        try tx.execute("UPDATE quote_versions SET status = 'withdrawn' WHERE quote_no = $1 AND status = 'pending-approval'", [.text(quoteNo)])
    }

    /// `version` becomes the one the customer holds; the one before is superseded.
    func makeCurrent(_ quote: LockedQuote, version: Int) throws {
        if let previous = quote.currentVersion {
            // An expired version stays expired; only the one the customer held is superseded.
            try tx.execute("UPDATE quote_versions SET status = 'superseded' WHERE quote_no = $1 AND version = $2 AND status = 'current'",
                           [.text(quote.quoteNo), .int(Int64(previous))])
        }
        try setVersionStatus(quote.quoteNo, version: version, .current)
        try setQuote(quote.quoteNo, status: .open, currentVersion: version)
    }

    func setQuote(_ quoteNo: String, status: QuoteStatus, currentVersion: Int?) throws {
        try tx.execute("UPDATE quotes SET status = $2, current_version = $3, updated_at = now() WHERE quote_no = $1",
                       [.text(quoteNo), .text(status.rawValue), currentVersion.map { .int(Int64($0)) } ?? .null])
    }

    /// Open quotes whose current version's validity ended before `asOf`, locked, oldest first.
    func lockExpiring(asOf: BusinessDate, limit: Int) throws -> [String] {
        try tx.query("""
            SELECT q.quote_no FROM quotes q JOIN quote_versions v ON v.quote_no = q.quote_no AND v.version = q.current_version
            WHERE q.status = 'open' AND v.valid_until < $1 ORDER BY q.seq LIMIT $2 FOR UPDATE OF q SKIP LOCKED
            """, [.date(asOf.description), .int(Int64(limit))]).map { try $0.string("quote_no") }
    }

    // MARK: reads

    func version(_ quoteNo: String, _ version: Int) throws -> QuoteVersionView? {
        try versions(quoteNo, only: version).first
    }

    func versions(_ quoteNo: String, only version: Int? = nil) throws -> [QuoteVersionView] {
        try tx.query("""
            SELECT version, status, stage, terms::text AS terms, discount, note, approval_id, asked_by, asked_at, sent_at
            FROM quote_versions WHERE quote_no = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version
            """, [.text(quoteNo), version.map { .int(Int64($0)) } ?? .null]).map { row in
            let terms: QuoteTerms = try row.json("terms")
            return QuoteVersionView(version: try row.int("version"), status: try row.string("status"), stage: terms.stage,
                                    validUntil: terms.validUntil, lines: terms.lines, serviceTerms: terms.serviceTerms,
                                    paymentTerms: terms.paymentTerms, note: try row.optionalString("note"), discount: try row.int("discount"),
                                    approvalId: try row.optionalString("approval_id").flatMap(UUID.init(uuidString:)), askedBy: try row.string("asked_by"),
                                    askedAt: try row.timestamp("asked_at"), sentAt: try row.optionalTimestamp("sent_at"))
        }
    }

    func quote(_ quoteNo: String) throws -> QuoteView? {
        guard let quote = try quotes(quoteNo: quoteNo, customer: nil, status: nil, owner: nil, after: nil, limit: 1).first else { return nil }
        return QuoteView(quoteNo: quote.quoteNo, customerCode: quote.customerCode, currency: quote.currency, owner: quote.owner,
                         status: quote.status, currentVersion: quote.currentVersion, createdAt: quote.createdAt, updatedAt: quote.updatedAt,
                         seq: quote.seq, versions: try versions(quoteNo))
    }

    func quotes(quoteNo: String? = nil, customer: String?, status: String?, owner: String?, after: Int64?, limit: Int) throws -> [QuoteView] {
        try tx.query("""
            SELECT quote_no, customer_code, currency, owner, status, current_version, created_at, updated_at, seq FROM quotes
            WHERE ($1::text IS NULL OR quote_no = $1) AND ($2::text IS NULL OR customer_code = $2)
              AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR owner = $4) AND seq > $5
            ORDER BY seq LIMIT $6
            """, [quoteNo.map(PGValue.text) ?? .null, customer.map(PGValue.text) ?? .null, status.map(PGValue.text) ?? .null,
                  owner.map(PGValue.text) ?? .null, .int(after ?? 0), .int(Int64(limit))]).map { row in
            QuoteView(quoteNo: try row.string("quote_no"), customerCode: try row.string("customer_code"), currency: try row.string("currency"),
                      owner: try row.string("owner"), status: try row.string("status"), currentVersion: try row.optionalInt("current_version"),
                      createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"), seq: try row.int("seq"), versions: nil)
        }
    }
}
