import Foundation

/// `payment.record` on `bizops.ingress` (the bank feed): money received. It names the
/// invoice or the order it pays; partial payments are allowed, overpayments become credit.
public struct RecordPayment: CommandContract, Equatable {
    public static let messageType = "payment.record.v1"
    public static let routingKey = "payment.record"

    /// Minor units of `currency`.
    public let amount: Int64
    public let currency: String
    public let invoiceNumber: String?
    public let orderRef: String?
    /// The bank's own reference: the same payment reported twice is recorded once.
    public let bankReference: String
    public let valueDate: BusinessDate
    public let payer: String?

    public init(amount: Int64, currency: String, invoiceNumber: String?, orderRef: String?, bankReference: String,
                valueDate: BusinessDate, payer: String? = nil) {
        self.amount = amount; self.currency = currency; self.invoiceNumber = invoiceNumber; self.orderRef = orderRef
        self.bankReference = bankReference; self.valueDate = valueDate; self.payer = payer
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Int64.self, forKey: .amount)
        currency = try c.decode(String.self, forKey: .currency)
        invoiceNumber = try c.decodeIfPresent(String.self, forKey: .invoiceNumber)
        orderRef = try c.decodeIfPresent(String.self, forKey: .orderRef)
        bankReference = try c.decode(String.self, forKey: .bankReference)
        valueDate = try c.decode(BusinessDate.self, forKey: .valueDate)
        payer = try c.decodeIfPresent(String.self, forKey: .payer)
        try Validate.require(amount > 0, "amount", "must be a positive number of minor units")
        try Validate.currency(currency, "currency")
        try Validate.require(invoiceNumber != nil || orderRef != nil, "invoiceNumber", "invoiceNumber or orderRef is required")
        try Validate.notBlank(bankReference, "bankReference", max: 100)
    }
}
