import Foundation

/// How a complaint is handled: who owns it and by when it must be resolved (承诺解决时间).
public enum ComplaintPolicy {
    public struct Commitment: Sendable, Equatable {
        public let routedTo: String
        public let hours: Int
    }

    public static func commitment(category: String) -> Commitment {
        switch category {
        case "delivery": Commitment(routedTo: "logistics", hours: 48)
        case "damaged": Commitment(routedTo: "logistics", hours: 48)
        case "quality": Commitment(routedTo: "sales", hours: 72)
        case "billing": Commitment(routedTo: "finance", hours: 120)
        case "service": Commitment(routedTo: "customer_service", hours: 24)
        default: Commitment(routedTo: "customer_service", hours: 72)
        }
    }

    public static func deadline(category: String, openedAt: Date) -> Date {
        openedAt.addingTimeInterval(Double(commitment(category: category).hours) * 3600)
    }

    public static let resolutions = ["return", "replacement", "explanation", "goodwill"]

    /// Days after delivery when the customer is called back (回访).
    public static let revisitAfterDays = 7

    /// A return may ask for at most what was ordered and not yet returned, SKU by SKU.
    public static func returnProblem(requested: [(sku: String, quantity: Int64)], ordered: [String: Int64]) -> String? {
        guard !requested.isEmpty else { return "a return needs at least one line" }
        var asked: [String: Int64] = [:]
        for line in requested { asked[line.sku, default: 0] += line.quantity }
        for (sku, quantity) in asked.sorted(by: { $0.key < $1.key }) {
            guard let had = ordered[sku] else { return "\(sku) was not on the order" }
            guard had > 0 else { return "\(sku): everything ordered is being returned already" }
            guard quantity > 0, quantity <= had else { return "\(sku): return 1 to \(had), not \(quantity)" }
        }
        return nil
    }
}
