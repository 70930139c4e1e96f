import Contracts

/// What an order under a contract or from a quote is priced by: pure rules, no I/O.
public enum OrderBasis {
    /// What priced an order: the list (and the customer file's contract prices), a signed contract, or an accepted quote.
    public struct PricedBy: Sendable, Equatable {
        public var contractNo: String?, quoteNo: String?
        public init(contractNo: String? = nil, quoteNo: String? = nil) { self.contractNo = contractNo; self.quoteNo = quoteNo }
        public static let list = PricedBy()
    }

    /// A contract as an order sees it.
    public struct Contract: Sendable {
        public let customer: String, currency: String, status: ContractStatus, terms: ContractTerms
        public init(customer: String, currency: String, status: ContractStatus, terms: ContractTerms) {
            self.customer = customer; self.currency = currency; self.status = status; self.terms = terms
        }
    }

    /// The contract's price for each line, when the contract is the customer's, signed, valid on
    /// `asOf`, has every SKU, and what is left of each SKU's volume (after `used` by earlier live
    /// orders under it) covers the line.
    public static func underContract(_ contractNo: String, lines: [(sku: String, quantity: Int64)], customer: String,
                                     contract: Contract?, used: [String: Int64], asOf: BusinessDate) -> Result<[String: Int64], OrderRejection> {
        guard let contract, contract.customer == customer else {
            return .failure(OrderRejection(code: .unknownContract, message: "no contract \(contractNo) of customer \(customer)"))
        }
        guard contract.status == .signed else {
            return .failure(OrderRejection(code: .contractNotSigned, message: "contract \(contractNo) is not signed yet"))
        }
        if let from = BusinessDate(contract.terms.validFrom), let until = BusinessDate(contract.terms.validUntil), !(from...until).contains(asOf) {
            return .failure(OrderRejection(code: .contractExpired,
                                           message: "contract \(contractNo) is valid \(contract.terms.validFrom) to \(contract.terms.validUntil)"))
        }
        if let bad = badQuantity(lines) { return .failure(bad) }
        var asked: [String: Int64] = [:]
        for line in lines { asked[line.sku, default: 0] += line.quantity }  // at most 200 × maxQuantity: no overflow
        var prices: [String: Int64] = [:]
        for (index, line) in lines.enumerated() {
            guard let agreed = contract.terms.lines.first(where: { $0.sku == line.sku }) else {
                return .failure(OrderRejection(code: .notOnContract, message: "lines[\(index)].sku \(line.sku) is not on contract \(contractNo)"))
            }
            let left = agreed.quantity - (used[line.sku] ?? 0)
            if asked[line.sku]! > left {
                return .failure(OrderRejection(code: .volumeExceeded,
                                               message: "lines[\(index)]: \(asked[line.sku]!) of \(line.sku) asked, \(max(left, 0)) left of contract \(contractNo)'s \(agreed.quantity)"))
            }
            prices[line.sku] = agreed.unitPrice
        }
        return .success(prices)
    }

    /// Quantities as sales takes them (1 to `OrderPricing.maxQuantity`, at most 200 lines), checked
    /// before anything adds them up.
    static func badQuantity(_ lines: [(sku: String, quantity: Int64)]) -> OrderRejection? {
        if lines.count > 200 { return OrderRejection(code: .badQuantity, message: "lines: at most 200") }
        for (index, line) in lines.enumerated() where !(1...OrderPricing.maxQuantity).contains(line.quantity) {
            return OrderRejection(code: .badQuantity, message: "lines[\(index)].quantity must be 1 to \(OrderPricing.maxQuantity), got \(line.quantity)")
        }
        return nil
    }

    /// The accepted quote's agreed price for each line, while it is valid on `asOf`, for at least the
    /// quantity it was agreed for (the price was agreed, and approved, for that volume), and only
    /// when no contract was drafted from the quote (then orders go under the contract).
    public static func fromQuote(_ quoteNo: String, lines: [(sku: String, quantity: Int64)], customer: String, quoteCustomer: String?,
                                 status: QuoteStatus?, accepted: QuoteTerms?, contractNo: String?, asOf: BusinessDate) -> Result<[String: Int64], OrderRejection> {
        guard let status, quoteCustomer == customer else {
            return .failure(OrderRejection(code: .unknownQuote, message: "no quote \(quoteNo) for customer \(customer)"))
        }
        if let bad = badQuantity(lines) { return .failure(bad) }
        if let contractNo {
            return .failure(OrderRejection(code: .quoteClosed, message: "quote \(quoteNo) is under contract \(contractNo): order under the contract"))
        }
        guard status == .accepted, let accepted, accepted.stage == .final else {
            return .failure(OrderRejection(code: .quoteNotAccepted, message: "quote \(quoteNo) is \(status.rawValue), not accepted"))
        }
        if QuoteChain.isExpired(accepted, asOf: asOf) {
            return .failure(OrderRejection(code: .quoteExpired, message: "quote \(quoteNo) was valid until \(accepted.validUntil)"))
        }
        var prices: [String: Int64] = [:]
        for (index, line) in lines.enumerated() {
            guard let quoted = accepted.lines.first(where: { $0.sku == line.sku }), let price = quoted.unitPrice else {
                return .failure(OrderRejection(code: .notOnContract, message: "lines[\(index)].sku \(line.sku) is not on quote \(quoteNo)"))
            }
            if let agreed = quoted.quantity, line.quantity < agreed {
                return .failure(OrderRejection(code: .badQuantity,
                                               message: "lines[\(index)]: quote \(quoteNo)'s price for \(line.sku) holds from \(agreed), not for \(line.quantity)"))
            }
            prices[line.sku] = price
        }
        return .success(prices)
    }
}
