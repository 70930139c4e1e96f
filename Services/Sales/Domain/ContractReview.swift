import Contracts

/// A contract's draft is reviewed, then signed; a signed contract takes no new revision.
public enum ContractStatus: String, Sendable, Codable, CaseIterable { case draft, signed }

/// Who reviews a draft before it is signed (合同评审), and what each looks at.
public enum Reviewer: String, Sendable, Codable, CaseIterable, Comparable {
    case finance, logistics, risk, legal
    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

    /// Whether a change from `old` to `new` touches what this reviewer reviewed.
    func reviews(_ old: ContractTerms, _ new: ContractTerms) -> Bool {
        switch self {
        case .finance: old.paymentTerms != new.paymentTerms || old.value != new.value
        case .logistics: old.delivery != new.delivery || old.lines != new.lines || old.validFrom != new.validFrom || old.validUntil != new.validUntil
        case .risk: old.value != new.value || old.paymentTerms != new.paymentTerms || old.validUntil != new.validUntil
        case .legal: old != new
        }
    }
}

public enum ReviewOutcome: String, Sendable, Codable, CaseIterable { case pending, approved, rejected }

/// The rules of drafting, reviewing and signing a contract: pure, no I/O.
public enum ContractReview {
    public static let maxText = 4000

    /// The reviewers a revision needs: all of them for the first; after it, those whose terms changed
    /// and those who had not answered the revision before yet (a pending answer is never carried over).
    public static func reviewers(from old: ContractTerms?, to new: ContractTerms, stillWaiting: [Reviewer] = []) -> [Reviewer] {
        guard let old else { return Reviewer.allCases }
        return Reviewer.allCases.filter { $0.reviews(old, new) || stillWaiting.contains($0) }
    }

    /// A contract is drafted from the final version the customer accepted, while it is valid.
    public static func canDraft(quoteStatus: QuoteStatus, accepted: QuoteTerms?, asOf: BusinessDate) -> QuoteProblem? {
        guard quoteStatus == .accepted, let accepted, accepted.stage == .final else {
            return QuoteProblem(.quoteNotAccepted, "a contract is drafted from an accepted final quote; this one is \(quoteStatus.rawValue)")
        }
        if QuoteChain.isExpired(accepted, asOf: asOf) {
            return QuoteProblem(.quoteExpired, "the accepted quote was valid until \(accepted.validUntil)")
        }
        return nil
    }

    /// The contract's lines: the accepted final quote's, as agreed.
    public static func lines(of accepted: QuoteTerms) -> [ContractLine] {
        accepted.lines.compactMap { line in line.quantity.flatMap { q in line.unitPrice.map { ContractLine(sku: line.sku, quantity: q, unitPrice: $0) } } }
    }

    /// What a revision must hold besides its lines.
    public static func check(_ terms: ContractTerms, asOf: BusinessDate) -> QuoteProblem? {
        func invalid(_ message: String) -> QuoteProblem { QuoteProblem(.invalidField, message) }
        guard let from = BusinessDate(terms.validFrom), let until = BusinessDate(terms.validUntil) else {
            return invalid("validFrom, validUntil: dates YYYY-MM-DD")
        }
        guard from <= until else { return invalid("validUntil: must not be before validFrom") }
        guard until >= asOf else { return QuoteProblem(.invalidField, "validUntil: \(until) is before today (\(asOf))") }
        guard (0...365).contains(terms.delivery.leadTimeDays) else { return invalid("delivery.leadTimeDays: 0 to 365") }
        if let problem = QuoteChain.check(terms.paymentTerms) { return invalid(problem) }
        guard terms.value != nil else { return invalid("lines: the contract's value is beyond any amount") }
        return nil
    }

    /// Signing needs every reviewer's approval of the revision.
    public static func canSign(_ status: ContractStatus, reviews: [Reviewer: ReviewOutcome]) -> QuoteProblem? {
        if status == .signed { return QuoteProblem(.contractSigned, "the contract is signed already") }
        let rejected = Reviewer.allCases.filter { reviews[$0] == .rejected }
        if !rejected.isEmpty {
            return QuoteProblem(.reviewRejected, "rejected by \(rejected.map(\.rawValue).joined(separator: ", ")): revise the draft")
        }
        let waiting = Reviewer.allCases.filter { reviews[$0] != .approved }
        if !waiting.isEmpty {
            return QuoteProblem(.reviewIncomplete, "waiting for the review of \(waiting.map(\.rawValue).joined(separator: ", "))")
        }
        return nil
    }
}
