/// What an invoice is for: money before delivery (`deposit`, `prepayment`) or the `final`
/// invoice on delivery. Other departments decide by it (logistics lets goods go once every
/// advance is paid), so it is a type, not a string to compare.
public enum InvoiceKind: ExtensibleCode {
    case deposit, prepayment, final
    case unknown(String)

    public static let known: [InvoiceKind] = [.deposit, .prepayment, .final]
    public var rawValue: String {
        switch self {
        case .deposit: "deposit"
        case .prepayment: "prepayment"
        case .final: "final"
        case .unknown(let raw): raw
        }
    }

    /// Paid before the goods leave. An unknown kind from a newer producer is not taken for one.
    public var isAdvance: Bool { self == .deposit || self == .prepayment }
}
