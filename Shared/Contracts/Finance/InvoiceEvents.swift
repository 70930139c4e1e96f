import Foundation

/// How much of a payment or credit note went to one invoice, and what is left on it.
public struct Allocation: Codable, Sendable, Equatable {
    public let invoiceNumber: String
    public let amount: Int64
    public let outstanding: Int64
    public init(invoiceNumber: String, amount: Int64, outstanding: Int64) {
        self.invoiceNumber = invoiceNumber; self.amount = amount; self.outstanding = outstanding
    }
}

