import Contracts
import Foundation
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// Contracts (合同): drafted from an accepted final quote, reviewed by finance, logistics and risk
/// over the bus and by a person with the `legal` role, then signed by a person whose authority
/// covers the contract's value (`contract.sign`; beyond it, an approval request). Each revision
/// of the draft asks again only the reviewers whose terms it changed.
enum ContractDesk {
    /// A revision as a salesperson asks for it: everything but the lines, which the quote fixed.
    struct Revision: Sendable, Equatable {
        let contractNo: String, quoteNo: String, paymentTerms: AgreedPaymentTerms?, delivery: DeliveryTerms, specs: String?
        let liability: String, returnsTerms: String, validFrom: String, validUntil: String, note: String?
    }

    /// What an approval of a signature is about.
    struct Signing: Codable, Sendable { let contractNo: String; let revision: Int64 }

    enum Signature: Sendable {
        case signed(ContractView)
        case pending(ApprovalRecord)
    }

    static func subject(_ contractNo: String) -> String { "contract:\(contractNo)" }

    static func revise(_ asked: Revision, asOf: BusinessDate, _ work: UnitOfWork) throws -> ContractView {
        let quotes = QuoteStore(tx: work.transaction), contracts = ContractStore(tx: work.transaction)
        work.correlate(with: work.cause.correlationId ?? asked.contractNo)
        guard let quote = try quotes.lock(asked.quoteNo) else { throw Refusal(.notFound, "quoteNo: no quote \(asked.quoteNo)") }
        let accepted = try quote.currentVersion.flatMap { try quotes.version(asked.quoteNo, $0) }
        if let existing = try contracts.contractFor(quote: asked.quoteNo), existing != asked.contractNo {
            throw Refusal(.invalidField, "quoteNo: quote \(asked.quoteNo) is under contract \(existing) already")
        }
        let author = work.cause.actor ?? work.cause.source
        guard try contracts.open(asked.contractNo, quote: quote, owner: author), let contract = try contracts.lock(asked.contractNo) else {
            throw Refusal(.invalidField, "contractNo: \(asked.contractNo) could not be opened")
        }
        guard contract.quoteNo == asked.quoteNo else {
            throw Refusal(.invalidField, "quoteNo: contract \(asked.contractNo) was drafted from quote \(contract.quoteNo)")
        }
        if contract.status == .signed { throw Refusal(.contractSigned, "contract \(asked.contractNo) is signed: it takes no new revision") }
        let previous = try contracts.terms(asked.contractNo, revision: contract.revision)
        if contract.revision == 0 { try Quoting.refuse(ContractReview.canDraft(quoteStatus: quote.status, accepted: accepted?.terms, asOf: asOf)) }
        guard let accepted else { throw Refusal(.quoteNotAccepted, "quote \(asked.quoteNo) has no accepted version") }
        let terms = ContractTerms(lines: ContractReview.lines(of: accepted.terms), paymentTerms: asked.paymentTerms ?? accepted.terms.paymentTerms!,
                                  delivery: asked.delivery, specs: asked.specs, liability: asked.liability, returnsTerms: asked.returnsTerms,
                                  validFrom: asked.validFrom, validUntil: asked.validUntil)
        // The same revision asked again (a retried request) changes nothing.
        if let previous, previous.terms == terms, previous.note == asked.note { return try contracts.contract(asked.contractNo)! }
        try Quoting.refuse(ContractReview.check(terms, asOf: asOf))
        let value = terms.value!
        // Those whose terms changed, and those still to answer the revision before (they are asked this one instead).
        let waiting = try contracts.outcomes(asked.contractNo, revision: contract.revision).filter { $0.value == .pending }.map(\.key)
        let asking = ContractReview.reviewers(from: previous?.terms, to: terms, stillWaiting: waiting)
        let revision = try contracts.addRevision(contract, terms, value: value, note: asked.note, by: author)
        for reviewer in Reviewer.allCases {
            try contracts.addReview(asked.contractNo, revision: revision, reviewer, carryingFrom: asking.contains(reviewer) ? nil : contract.revision)
        }
        // A signature waiting for approval was for the revision before.
        try SalesApprovals.book.supersedeOpen(SalesApprovals.contractSign, subject: subject(asked.contractNo),
                                          because: "revision \(revision) replaced the draft", work)
        try work.publish(ContractDrafted(contractNo: asked.contractNo, revision: Int64(revision), quoteNo: asked.quoteNo,
                                         customerCode: contract.customer, currency: contract.currency, value: value, terms: terms,
                                         review: asking.map(\.rawValue)))
        try CustomerFileStore(tx: work.transaction).note(contract.customer, "contract", reference: asked.contractNo,
                                                         "contract \(asked.contractNo) revision \(revision) drafted (worth \(value) \(contract.currency))")
        work.logger.info("contract drafted", metadata: ["contract": "\(asked.contractNo)", "revision": "\(revision)",
                                                        "review": "\(asking.map(\.rawValue).joined(separator: ","))"])
        return try contracts.contract(asked.contractNo)!
    }

    /// A department's answer from the bus: recorded on the revision it answers if that is still awaited
    /// (an answer to an older revision lands there and changes nothing about the current one).
    static func reviewed<E: ContractReviewedEvent>(_ event: E, _ work: UnitOfWork) throws {
        let contracts = ContractStore(tx: work.transaction)
        guard let reviewer = Reviewer(rawValue: E.department), let outcome = ReviewOutcome(rawValue: event.outcome), outcome != .pending else {
            throw Poison(.invalidField, "outcome: approved or rejected, not \(event.outcome)")
        }
        guard let contract = try contracts.lock(event.contractNo) else {
            work.logger.warning("review of an unknown contract ignored", metadata: ["contract": "\(event.contractNo)", "by": "\(E.department)"])
            return
        }
        let recorded = try contracts.answer(event.contractNo, revision: Int(event.revision), reviewer, outcome, remarks: event.remarks,
                                            by: E.department, messageId: UUID(uuidString: work.cause.id))
        work.logger.info(recorded ? "contract review recorded" : "contract review not awaited; ignored",
                         metadata: ["contract": "\(event.contractNo)", "revision": "\(event.revision)", "current": "\(contract.revision)",
                                    "reviewer": "\(E.department)", "outcome": "\(event.outcome)"])
    }

    /// A person with the `legal` role reviews the terms of the current revision.
    static func legalReview(_ contractNo: String, revision: Int64?, approve: Bool, remarks: String, _ work: UnitOfWork) throws -> ContractView {
        let contracts = ContractStore(tx: work.transaction)
        guard let contract = try contracts.lock(contractNo), contract.revision > 0 else { throw Refusal(.notFound, "no contract \(contractNo)") }
        if contract.status == .signed { throw Refusal(.contractSigned, "contract \(contractNo) is signed already") }
        if let revision, revision != Int64(contract.revision) {
            throw Refusal(.invalidField, "revision: \(revision) is not the current revision of \(contractNo) (\(contract.revision) is)")
        }
        guard try contracts.answer(contractNo, revision: contract.revision, .legal, approve ? .approved : .rejected, remarks: remarks,
                                   by: work.cause.actor ?? work.cause.source, messageId: nil) else {
            throw Refusal(.notPending, "legal has answered revision \(contract.revision) of \(contractNo) already")
        }
        return try contracts.contract(contractNo)!
    }

    /// Signs the current revision once every reviewer approved it, within the signer's authority
    /// for its value, or else once that is approved.
    static func sign(_ contractNo: String, revision: Int64?, _ work: UnitOfWork) throws -> Signature {
        let contracts = ContractStore(tx: work.transaction)
        work.correlate(with: work.cause.correlationId ?? contractNo)
        guard let contract = try contracts.lock(contractNo), contract.revision > 0 else { throw Refusal(.notFound, "no contract \(contractNo)") }
        if let revision, revision != Int64(contract.revision) {
            throw Refusal(.invalidField, "revision: \(revision) is not the current revision of \(contractNo) (\(contract.revision) is)")
        }
        try Quoting.refuse(ContractReview.canSign(contract.status, reviews: try contracts.outcomes(contractNo, revision: contract.revision)))
        let (terms, _) = try contracts.terms(contractNo, revision: contract.revision)!
        let authorisation = try SalesApprovals.book.authorise(
            SalesApprovals.contractSign, subject: subject(contractNo), amount: terms.value!,
            payload: Signing(contractNo: contractNo, revision: Int64(contract.revision)),
            summary: "sign contract \(contractNo) r\(contract.revision) with \(contract.customer) worth \(terms.value!) \(contract.currency)", work)
        if case .pending(let request) = authorisation { return .pending(request) }
        return .signed(try complete(contract, by: work.cause.actor ?? work.cause.source, work))
    }

    /// The signature's approval: signs the revision it was asked for, if it is still the current one and still approved by all.
    static func signatureApproved(_ request: ApprovalRecord, _ decision: ApprovalBook.Decision, _ work: UnitOfWork) throws {
        let asked = try request.decode(Signing.self)
        let contracts = ContractStore(tx: work.transaction)
        guard let contract = try contracts.lock(asked.contractNo), Int64(contract.revision) == asked.revision else {
            throw Refusal(.notPending, "contract \(asked.contractNo) has a newer revision than the one to sign")
        }
        try Quoting.refuse(ContractReview.canSign(contract.status, reviews: try contracts.outcomes(asked.contractNo, revision: contract.revision)))
        // The person who asked signs; the approver authorised it.
        _ = try complete(contract, by: request.requestedBy, work)
    }

    static func complete(_ contract: LockedContract, by signer: String, _ work: UnitOfWork) throws -> ContractView {
        let contracts = ContractStore(tx: work.transaction)
        let (terms, _) = try contracts.terms(contract.contractNo, revision: contract.revision)!
        try contracts.sign(contract.contractNo, by: signer)
        try work.publish(ContractSigned(contractNo: contract.contractNo, revision: Int64(contract.revision), quoteNo: contract.quoteNo,
                                        customerCode: contract.customer, currency: contract.currency, value: terms.value!, terms: terms,
                                        signedBy: signer))
        try CustomerFileStore(tx: work.transaction).note(contract.customer, "contract", reference: contract.contractNo,
                                                         "contract \(contract.contractNo) signed by \(signer)")
        work.logger.notice("contract signed", metadata: ["contract": "\(contract.contractNo)", "revision": "\(contract.revision)", "by": "\(signer)"])
        return try contracts.contract(contract.contractNo)!
    }
}
