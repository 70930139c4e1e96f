import Contracts
import FinanceDomain
import Foundation
import Messaging
import Storage

/// Journal entries and document numbering: the small pieces every money movement uses.
enum JournalStore {
    static func post(_ tx: Transaction, date: BusinessDate, memo: String, reference: String, currency: String,
                     _ lines: [JournalEntry.Line]) throws {
        guard let entry = JournalEntry(memo: memo, lines: lines) else {
            throw BooksError(message: "unbalanced journal entry for \(reference): \(lines)")
        }
        let id = try tx.query("""
            INSERT INTO journal_entries (entry_date, memo, reference, currency) VALUES ($1, $2, $3, $4) RETURNING id
            """, [.date(date.description), .text(entry.memo), .text(reference), .text(currency)]).first!.int("id")
        try tx.execute("""
            INSERT INTO journal_lines (entry_id, account, debit, credit)
            SELECT $1, a, d::bigint, c::bigint FROM unnest($2::text[], $3::text[], $4::text[]) AS u(a, d, c)
            """, [.int(id), .textArray(entry.lines.map(\.account)), .textArray(entry.lines.map { String($0.debit) }),
                  .textArray(entry.lines.map { String($0.credit) })])
    }

    struct BooksError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    static func nextNumber(_ prefix: String, _ sequence: String, _ tx: Transaction) throws -> String {
        let n = try tx.query("SELECT nextval('\(sequence)') AS n").first!.int("n")
        return "\(prefix)-\(String(format: "%06lld", n))"
    }
}
