import Contracts

/// What sales knows of a customer when it takes an order.
public struct CustomerTerms: Sendable, Equatable {
    public let code: String
    public let currency: String
    public let allowsPriceOverride: Bool
    /// Contract prices by SKU, minor units; they win over the price list.
    public let contractPrices: [String: Int64]
    public init(code: String, currency: String, allowsPriceOverride: Bool, contractPrices: [String: Int64] = [:]) {
        self.code = code; self.currency = currency; self.allowsPriceOverride = allowsPriceOverride; self.contractPrices = contractPrices
    }
}

/// A list price that applies from `minQuantity` units up.
public struct PriceTier: Sendable, Equatable {
    public let minQuantity: Int64
    public let unitPrice: Int64
    public init(minQuantity: Int64, unitPrice: Int64) { self.minQuantity = minQuantity; self.unitPrice = unitPrice }
}

extension Array where Element == PriceTier {
    /// The list price for `quantity`: the deepest tier it reaches, else the smallest tier; nil without tiers.
    public func unitPrice(for quantity: Int64) -> Int64? {
        filter { $0.minQuantity <= quantity }.max { $0.minQuantity < $1.minQuantity }?.unitPrice
            ?? self.min { $0.minQuantity < $1.minQuantity }?.unitPrice
    }
}

public struct OrderRejection: Error, Equatable, Sendable {
    public let code: ReasonCode
    public let message: String
    public init(code: ReasonCode, message: String) { self.code = code; self.message = message }
}

/// Prices an order: pure rules, no I/O.
public enum OrderPricing {
    public static let maxQuantity: Int64 = 1_000_000

    /// `priceList` maps SKU → tiers in that customer's currency; a SKU missing from it is unknown.
    /// The deepest discount a typed price gives below the price (contract or list) a line would
    /// have, in hundredths of a percent (1250 = 12.50 %); 0 when no line is typed below it.
    public static func discount(_ order: PlaceOrder, customer: CustomerTerms, priceList: [String: [PriceTier]]) -> Int64 {
        order.lines.compactMap { line -> Int64? in
            guard let typed = line.unitPrice, let tiers = priceList[line.sku], !tiers.isEmpty else { return nil }
            let price = customer.contractPrices[line.sku] ?? tiers.unitPrice(for: line.quantity)!
            guard typed < price, price > 0 else { return nil }
            return (price - typed) * 10_000 / price
        }.max() ?? 0
    }

    /// `typedPricesAuthorised`: the typed prices were entered by a person within (or approved
    /// beyond) their authority, so the contract's override rule (meant for outside systems) does not apply.
    public static func price(_ order: PlaceOrder, customer: CustomerTerms?, priceList: [String: [PriceTier]],
                             typedPricesAuthorised: Bool = false) -> Result<[OrderPlaced.Line], OrderRejection> {
        guard let customer else {
            return .failure(OrderRejection(code: .unknownCustomer, message: "no customer with code \(order.customerCode)"))
        }
        if let currency = order.currency, currency != customer.currency {
            return .failure(OrderRejection(code: .currencyMismatch,
                                           message: "customer \(customer.code) buys in \(customer.currency), not \(currency)"))
        }
        var lines: [OrderPlaced.Line] = []
        var orderTotal: Int64 = 0
        for (index, line) in order.lines.enumerated() {
            guard line.quantity > 0 && line.quantity <= maxQuantity else {
                return .failure(OrderRejection(code: .badQuantity,
                                               message: "lines[\(index)].quantity must be 1 to \(maxQuantity), got \(line.quantity)"))
            }
            guard let tiers = priceList[line.sku], !tiers.isEmpty else {
                return .failure(OrderRejection(code: .unknownSku, message: "lines[\(index)].sku \(line.sku) is not sold"))
            }
            var unit = customer.contractPrices[line.sku] ?? tiers.unitPrice(for: line.quantity)!
            if let override = line.unitPrice {
                guard customer.allowsPriceOverride || typedPricesAuthorised else {
                    return .failure(OrderRejection(code: .priceOverrideNotAllowed,
                                                   message: "lines[\(index)].unitPrice: customer \(customer.code)'s contract does not allow price overrides"))
                }
                guard override > 0 else {
                    return .failure(OrderRejection(code: .badPrice, message: "lines[\(index)].unitPrice must be positive"))
                }
                unit = override
            }
            let (total, overflow) = unit.multipliedReportingOverflow(by: line.quantity)
            guard !overflow else { return .failure(OrderRejection(code: .badQuantity, message: "lines[\(index)] total overflows")) }
            lines.append(OrderPlaced.Line(sku: line.sku, quantity: line.quantity, unitPrice: unit, lineTotal: total))
            let (sum, sumOverflow) = orderTotal.addingReportingOverflow(total)
            guard !sumOverflow else { return .failure(OrderRejection(code: .badPrice, message: "the order total is beyond any amount")) }
            orderTotal = sum
        }
        return .success(lines)
    }
}
