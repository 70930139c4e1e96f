/// Logistics' review of a contract draft's delivery terms (合同评审): can the warehouses deliver
/// each order under it within the lead time the contract promises?
public enum DeliveryReview {
    /// Days a warehouse needs to pick, pack and ship an order from stock.
    public static let handlingDays: Int64 = 2
    /// Days a restock takes when the stock on hand does not cover the contract's volume.
    public static let restockDays: Int64 = 14

    /// Rejected when the lead time is shorter than handling, or shorter than a restock for a SKU
    /// whose available stock (on hand, not reserved, in every warehouse) is below the contract's volume.
    public static func review(leadTimeDays: Int64, lines: [(sku: String, quantity: Int64)], available: [String: Int64]) -> (approved: Bool, remarks: String) {
        if leadTimeDays < handlingDays {
            return (false, "a lead time of \(leadTimeDays) days is shorter than the \(handlingDays) days a warehouse needs to pick, pack and ship")
        }
        for line in lines {
            let stock = available[line.sku] ?? 0
            if stock < line.quantity && leadTimeDays < restockDays {
                return (false, "\(line.sku): \(stock) available for a volume of \(line.quantity), and \(leadTimeDays) days is shorter than the \(restockDays) days a restock takes")
            }
        }
        return (true, "deliverable within \(leadTimeDays) days: " + lines.map { "\($0.sku) \(available[$0.sku] ?? 0) available" }.joined(separator: ", "))
    }
}
