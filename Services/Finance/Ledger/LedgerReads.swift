import Contracts
import Foundation
import Storage

struct JournalEntryView: Codable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable { let account: String; let debit: Int64; let credit: Int64 }
    let id: Int64
    let entryDate: String
    let memo: String
    let reference: String
    let currency: String
    let lines: [Line]
    /// Who caused it: a person (token subject) or an outside system; absent for rows from before it was kept.
    let actor: String?
}

struct TrialBalanceView: Codable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable { let currency: String; let account: String; let debit: Int64; let credit: Int64; let balance: Int64 }
    let lines: [Line]
}

/// The books as read: the journal and the trial balance, inside one transaction (`ServiceEnvironment.read`).
struct LedgerReads {
    let tx: Transaction

    /// Journal entries with their lines, oldest first; `reference` matches the reference or the memo.
    func journal(reference: String?, after: Int64, limit: Int) throws -> [JournalEntryView] {
        let entries = try tx.query("""
            SELECT id, entry_date::text AS entry_date, memo, reference, currency, actor FROM journal_entries
            WHERE ($1::text IS NULL OR reference = $1 OR memo LIKE '%' || $1 || '%') AND id > $2 ORDER BY id LIMIT $3
            """, [reference.map(PGValue.text) ?? .null, .int(after), .int(Int64(limit))])
        let ids = try entries.map { try $0.int("id") }
        var lines: [Int64: [JournalEntryView.Line]] = [:]
        for r in try tx.query("SELECT entry_id, account, debit, credit FROM journal_lines WHERE entry_id = ANY($1::bigint[]) ORDER BY entry_id",
                              [.textArray(ids.map(String.init))]) {
            lines[try r.int("entry_id"), default: []].append(.init(account: try r.string("account"), debit: try r.int("debit"),
                                                                  credit: try r.int("credit")))
        }
        return try entries.map { r in
            let id = try r.int("id")
            return JournalEntryView(id: id, entryDate: try r.string("entry_date"), memo: try r.string("memo"), reference: try r.string("reference"),
                                    currency: try r.string("currency"), lines: lines[id] ?? [],
                                    actor: try r.optionalString("actor"))
        }
    }

    func trialBalance() throws -> TrialBalanceView {
        TrialBalanceView(lines: try tx.query("""
            SELECT e.currency, l.account, sum(l.debit)::bigint AS debit, sum(l.credit)::bigint AS credit,
                   (sum(l.debit) - sum(l.credit))::bigint AS balance
            FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id GROUP BY e.currency, l.account ORDER BY 1, 2
            """).map { r in
            .init(currency: try r.string("currency"), account: try r.string("account"), debit: try r.int("debit"),
                  credit: try r.int("credit"), balance: try r.int("balance"))
        })
    }
}
