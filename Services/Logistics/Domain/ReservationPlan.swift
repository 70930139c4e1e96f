import Contracts

/// Which warehouse serves an order, what it reserves there now, and what waits for stock.
public struct ReservationPlan: Sendable, Equatable {
    public let warehouse: String
    public let reserve: [ItemQuantity]
    public let missing: [ItemQuantity]
    public var isComplete: Bool { missing.isEmpty }

    public init(warehouse: String, reserve: [ItemQuantity], missing: [ItemQuantity]) {
        self.warehouse = warehouse; self.reserve = reserve; self.missing = missing
    }

    /// `available[warehouse][sku]`; `warehouses` in order of preference. The first warehouse
    /// that can ship everything wins; otherwise the one that can ship the most units, which
    /// reserves what it has and backorders the rest. Lines of the same SKU are added up.
    public static func make(lines: [ItemQuantity], warehouses: [String], available: [String: [String: Int64]]) -> ReservationPlan? {
        guard !warehouses.isEmpty else { return nil }
        var needed: [(String, Int64)] = []
        for line in lines {
            if let i = needed.firstIndex(where: { $0.0 == line.sku }) { needed[i].1 += line.quantity } else { needed.append((line.sku, line.quantity)) }
        }
        func plan(_ warehouse: String) -> ReservationPlan {
            var reserve: [ItemQuantity] = [], missing: [ItemQuantity] = []
            for (sku, quantity) in needed {
                let take = min(quantity, max(0, available[warehouse]?[sku] ?? 0))
                if take > 0 { reserve.append(ItemQuantity(sku: sku, quantity: take)) }
                if take < quantity { missing.append(ItemQuantity(sku: sku, quantity: quantity - take)) }
            }
            return ReservationPlan(warehouse: warehouse, reserve: reserve, missing: missing)
        }
        let plans = warehouses.map(plan)
        if let complete = plans.first(where: \.isComplete) { return complete }
        func units(_ p: ReservationPlan) -> Int64 { p.reserve.reduce(0) { $0 + $1.quantity } }
        var best = plans[0]
        for candidate in plans.dropFirst() where units(candidate) > units(best) { best = candidate }
        return best
    }
}

/// Hands a receipt of one SKU to the orders waiting for it, oldest first.
public enum BackorderFill {
    /// `waiting` is (order, still missing) in queue order; returns (order, quantity) to reserve.
    public static func allocate(received: Int64, waiting: [(order: String, missing: Int64)]) -> [(order: String, quantity: Int64)] {
        var left = received
        var result: [(String, Int64)] = []
        for (order, missing) in waiting where left > 0 && missing > 0 {
            let take = min(left, missing)
            result.append((order, take))
            left -= take
        }
        return result
    }
}
