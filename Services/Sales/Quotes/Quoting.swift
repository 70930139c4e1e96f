import Contracts
import Foundation
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// The quote chain (报价): versions of one negotiation under one quote number. A version priced
/// below the list beyond its author's limit waits for an approver and is sent only once approved;
/// a version once asked never changes; the customer accepts the current final version while it
/// is valid; a clock-driven job expires the rest.
enum Quoting {
    /// A version as a salesperson asks for it.
    struct Revision: Sendable, Equatable {
        let quoteNo: String, customerCode: String, terms: QuoteTerms, note: String?
    }

    /// What an approval of a quote's price is about.
    struct Asked: Codable, Sendable { let quoteNo: String; let version: Int64 }

    enum Outcome: Sendable {
        /// Sent (or the same version asked again).
        case sent(QuoteVersionView)
        case pending(ApprovalRecord, QuoteVersionView)
    }

    static func subject(_ quoteNo: String) -> String { "quote:\(quoteNo)" }

    static func refuse(_ problem: QuoteProblem?) throws {
        if let problem { throw Refusal(problem.code, problem.message) }
    }

    static func revise(_ asked: Revision, asOf: BusinessDate, _ work: UnitOfWork) throws -> Outcome {
        let customers = CustomerStore(tx: work.transaction), products = ProductStore(tx: work.transaction), quotes = QuoteStore(tx: work.transaction)
        work.correlate(with: work.cause.correlationId ?? asked.quoteNo)
        guard let customer = try customers.customerTerms(asked.customerCode) else {
            throw Refusal(.unknownCustomer, "customerCode: no customer \(asked.customerCode)")
        }
        let author = work.cause.actor ?? work.cause.source
        try quotes.open(asked.quoteNo, customer: customer.code, currency: customer.currency, owner: author)
        let quote = try quotes.lock(asked.quoteNo)!
        guard quote.customer == asked.customerCode else {
            throw Refusal(.invalidField, "customerCode: quote \(asked.quoteNo) is for \(quote.customer)")
        }
        let versions = try quotes.versions(asked.quoteNo)
        // The same ask again (a retried request) finds the version it made.
        if let last = versions.last, last.terms == asked.terms, last.note == asked.note {
            if last.status == QuoteVersionStatus.current.rawValue { return .sent(last) }
            if last.status == QuoteVersionStatus.pendingApproval.rawValue, let id = last.approvalId,
               let request = try SalesApprovals.book.request(id, work) { return .pending(request, last) }
        }
        let currentStage = versions.first { $0.version == Int64(quote.currentVersion ?? -1) }?.stage
        try refuse(QuoteChain.canRevise(quote.status, from: currentStage, to: asked.terms.stage))
        try refuse(QuoteChain.check(asked.terms, asOf: asOf))
        let priceList = try products.priceList(skus: asked.terms.lines.map(\.sku), currency: quote.currency)
        if let sku = QuoteChain.unknownSkus(asked.terms, priceList: priceList).first {
            throw Refusal(.unknownSku, "lines: \(sku) is not on the price list in \(quote.currency)")
        }
        let discount = QuoteChain.discount(asked.terms, priceList: priceList)
        try quotes.withdrawPending(asked.quoteNo)
        let version = try quotes.addVersion(asked.quoteNo, asked.terms, note: asked.note, discount: discount,
                                            status: .pendingApproval, askedBy: author)
        if discount > 0 {
            let authorisation = try SalesApprovals.book.authorise(
                SalesApprovals.quotePrice, subject: subject(asked.quoteNo), amount: discount,
                payload: Asked(quoteNo: asked.quoteNo, version: Int64(version)),
                summary: "quote \(asked.quoteNo) v\(version) (\(asked.terms.stage.rawValue)) for \(quote.customer) at up to \(Double(discount) / 100) % below the list",
                work)
            if case .pending(let request) = authorisation {
                try quotes.setApproval(asked.quoteNo, version: version, request.id)
                return .pending(request, try quotes.version(asked.quoteNo, version)!)
            }
        } else {
            try SalesApprovals.book.supersedeOpen(SalesApprovals.quotePrice, subject: subject(asked.quoteNo),
                                              because: "version \(version) is at the list price", work)
        }
        return .sent(try send(quote, version: version, work))
    }

    /// The version goes to the customer: it becomes current, the one before it superseded.
    static func send(_ quote: LockedQuote, version: Int, _ work: UnitOfWork) throws -> QuoteVersionView {
        let quotes = QuoteStore(tx: work.transaction)
        try quotes.makeCurrent(quote, version: version)
        let sent = try quotes.version(quote.quoteNo, version)!
        try work.publish(QuoteSent(quoteNo: quote.quoteNo, version: sent.version, customerCode: quote.customer, currency: quote.currency,
                                   owner: quote.owner, terms: sent.terms))
        if try CustomerFileStore(tx: work.transaction).record(quote.customer, .quote(sent.stage), kind: "quote", reference: quote.quoteNo,
                                                              "quote \(quote.quoteNo) v\(version) (\(sent.stage.rawValue)) sent, valid until \(sent.validUntil)") {
            try CustomerFiles.changed(quote.customer, work)
        }
        work.logger.info("quote sent", metadata: ["quote": "\(quote.quoteNo)", "version": "\(version)", "stage": "\(sent.stage.rawValue)"])
        return sent
    }

    /// The approver agreed to the version's price: it is sent now, unless its validity ended meanwhile.
    static func approved(_ request: ApprovalRecord, _ work: UnitOfWork) throws {
        let asked = try request.decode(Asked.self)
        let quotes = QuoteStore(tx: work.transaction)
        guard let quote = try quotes.lock(asked.quoteNo), let version = try quotes.version(asked.quoteNo, Int(asked.version)),
              version.status == QuoteVersionStatus.pendingApproval.rawValue else {
            throw Refusal(.notPending, "quote \(asked.quoteNo) v\(asked.version) no longer waits for approval")
        }
        if QuoteChain.isExpired(version.terms, asOf: BusinessDate(Date())) {
            throw Refusal(.quoteExpired, "quote \(asked.quoteNo) v\(asked.version) was valid until \(version.validUntil): reject it and send a new version")
        }
        _ = try send(quote, version: Int(asked.version), work)
    }

    /// The approver refused the price: the version is never sent; the customer keeps the one they hold.
    static func rejected(_ request: ApprovalRecord, _ work: UnitOfWork) throws {
        let asked = try request.decode(Asked.self)
        try QuoteStore(tx: work.transaction).setVersionStatus(asked.quoteNo, version: Int(asked.version), .rejected)
    }

    /// The customer agreed to the current version: it must be final and still valid.
    static func accept(_ quoteNo: String, version: Int64?, asOf: BusinessDate, _ work: UnitOfWork) throws -> QuoteView {
        let quotes = QuoteStore(tx: work.transaction)
        work.correlate(with: work.cause.correlationId ?? quoteNo)
        guard let quote = try quotes.lock(quoteNo) else { throw Refusal(.notFound, "no quote \(quoteNo)") }
        guard let currentNo = quote.currentVersion, let current = try quotes.version(quoteNo, currentNo) else {
            throw Refusal(.quoteNotFinal, "quote \(quoteNo) has no version sent yet")
        }
        if let version, version != current.version {
            throw Refusal(.invalidField, "version: \(version) is not the current version of \(quoteNo) (\(current.version) is)")
        }
        try refuse(QuoteChain.canAccept(quote.status, current.terms, asOf: asOf))
        try quotes.setVersionStatus(quoteNo, version: currentNo, .accepted)
        try quotes.setQuote(quoteNo, status: .accepted, currentVersion: currentNo)
        try quotes.withdrawPending(quoteNo)
        try SalesApprovals.book.supersedeOpen(SalesApprovals.quotePrice, subject: subject(quoteNo), because: "the quote was accepted", work)
        try work.publish(QuoteAccepted(quoteNo: quoteNo, version: current.version, customerCode: quote.customer, currency: quote.currency,
                                       owner: quote.owner, terms: current.terms))
        try CustomerFileStore(tx: work.transaction).note(quote.customer, "quote", reference: quoteNo, "quote \(quoteNo) v\(currentNo) accepted")
        work.logger.info("quote accepted", metadata: ["quote": "\(quoteNo)", "version": "\(currentNo)"])
        return try quotes.quote(quoteNo)!
    }

    /// Open quotes whose current version's validity ended before `asOf` expire (in batches, so
    /// a long backlog never holds one huge transaction); returns the quote numbers.
    static let expiryBatch = 500
    static func expire(asOf: BusinessDate, _ work: UnitOfWork) throws -> [String] {
        let quotes = QuoteStore(tx: work.transaction)
        let due = try quotes.lockExpiring(asOf: asOf, limit: expiryBatch)
        for quoteNo in due {
            let quote = try quotes.lock(quoteNo)!, versionNo = quote.currentVersion!
            let version = try quotes.version(quoteNo, versionNo)!
            try quotes.setVersionStatus(quoteNo, version: versionNo, .expired)
            try quotes.setQuote(quoteNo, status: .expired, currentVersion: versionNo)
            try work.publish(QuoteExpired(quoteNo: quoteNo, version: version.version, customerCode: quote.customer,
                                          validUntil: version.validUntil), correlationId: quoteNo)
        }
        work.logger.info("quote expiry run", metadata: ["as_of": "\(asOf)", "expired": "\(due.count)"])
        return due
    }
}
