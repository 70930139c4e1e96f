import Contracts
import Foundation

/// Where a customer stands with us (寻找客户 → 一般了解 → 深入了解 → 建立关系 → 巩固关系).
public enum CustomerStage: String, Sendable, Codable, CaseIterable, Comparable {
    case prospect
    case firstContact = "first-contact"
    case inDepth = "in-depth"
    case relationship
    case loyal

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }

    /// One stage back (a prospect stays a prospect).
    public var previous: CustomerStage { rank == 0 ? self : Self.allCases[rank - 1] }
}

/// Target customers (still to win) and partner customers (already buying) are filed apart.
public enum CustomerClass: String, Sendable, Codable, CaseIterable { case target, partner }

/// How we found the customer (实地寻找 / 信息查找 / 关系介绍).
public enum CustomerSource: String, Sendable, Codable, CaseIterable {
    case fieldSearch = "field-search"
    case informationSearch = "information-search"
    case referral
}

/// What happened with a customer, as far as their stage is concerned.
public enum CustomerActivity: Sendable, Equatable {
    case visit
    case quote(QuoteStage)
    /// An order was placed; `liveOrders` counts it with the customer's earlier live ones.
    case order(liveOrders: Int)
}

/// How a customer's stage moves: forward with what happens, back when they go quiet. Pure.
public enum CustomerLifecycle {
    /// Days without any activity after which a customer moves one stage back (and again after as many more).
    public static let quietDays = 180
    /// Live orders from which a customer is loyal.
    public static let loyalOrders = 3

    /// The stage an activity brings a customer to at least; a stage never moves back with activity.
    public static func after(_ stage: CustomerStage, _ activity: CustomerActivity) -> CustomerStage {
        let reached: CustomerStage = switch activity {
        case .visit: .firstContact
        case .quote(.initial): .firstContact
        case .quote: .inDepth
        case .order(let live): live >= loyalOrders ? .loyal : .relationship
        }
        return max(stage, reached)
    }

    /// Whether a buying customer is filed as a partner: from their first order on.
    public static func classification(_ current: CustomerClass, _ activity: CustomerActivity) -> CustomerClass {
        if case .order = activity { return .partner }
        return current
    }

    /// One stage back when nothing happened for `quietDays` since the last activity and since the
    /// last step back; nil when the stage stays.
    public static func afterQuiet(_ stage: CustomerStage, lastActivity: Date, lastChange: Date, now: Date) -> CustomerStage? {
        let quiet = TimeInterval(quietDays * 86_400)
        guard stage != .prospect, now.timeIntervalSince(lastActivity) >= quiet, now.timeIntervalSince(lastChange) >= quiet else { return nil }
        return stage.previous
    }

    /// Two customer files are the same customer: the same tax id, or the same name in the same city
    /// (letters' case and surrounding spaces aside).
    public static func sameCustomer(taxId: String?, name: String, city: String?, asTaxId otherTaxId: String?, name otherName: String,
                                    city otherCity: String?) -> Bool {
        func norm(_ s: String?) -> String? { s.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }.flatMap { $0.isEmpty ? nil : $0 } }
        if let a = norm(taxId), let b = norm(otherTaxId), a == b { return true }
        if let a = norm(city), let b = norm(otherCity), a == b, norm(name) == norm(otherName) { return true }
        return false
    }
}
