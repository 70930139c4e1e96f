import Foundation

/// Field-level rules that types alone cannot say (positive quantities, ISO codes, …).
/// Throw from a contract's `init(from:)` so the failure names the field.
public enum Validate {
    public static func require(_ condition: Bool, _ path: String, _ problem: String) throws {
        if !condition { throw ContractError(.invalidField, "\(path): \(problem)") }
    }

    public static func notBlank(_ text: String, _ path: String, max: Int = 200) throws {
        try require(!text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && text.count <= max,
                    path, "must be 1 to \(max) characters")
    }

    public static func date(_ text: String, _ path: String) throws {
        try require(BusinessDate(text) != nil, path, "must be a date YYYY-MM-DD")
    }

    public static func currency(_ text: String, _ path: String) throws {
        try require(text.count == 3 && text.allSatisfy { $0.isASCII && $0.isUppercase }, path, "must be an ISO 4217 code like CNY")
    }

    /// `2026-12-01T09:30:00Z` (ISO 8601, UTC or with an offset).
    public static func timestamp(_ text: String, _ path: String) throws -> Date {
        guard let date = parseTimestamp(text) else {
            throw ContractError(.invalidField, "\(path): must be an ISO 8601 date-time like 2026-12-01T09:30:00Z")
        }
        return date
    }

    /// RFC 3339's date-time, strictly: the parser alone would roll `12:99` over into the next hour.
    public static func parseTimestamp(_ text: String) -> Date? {
        let upper = text.uppercased(), chars = Array(upper)
        guard chars.count >= 20, chars[10] == "T", BusinessDate(String(chars[0..<10])) != nil,
              let hour = Int(String(chars[11..<13])), chars[13] == ":", let minute = Int(String(chars[14..<16])), chars[16] == ":",
              let second = Int(String(chars[17..<19])), hour <= 23, minute <= 59, second <= 60 else { return nil }
        var rest = chars[19...]
        if rest.first == "." {
            rest = rest.dropFirst()
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return nil }
            rest = rest.dropFirst(digits.count)
        }
        if rest.first != "Z" {
            let zone = String(rest)
            guard zone.count == 6, zone.first == "+" || zone.first == "-", Array(zone)[3] == ":",
                  let h = Int(zone.dropFirst().prefix(2)), let m = Int(zone.suffix(2)), h <= 23, m <= 59 else { return nil }
        } else if rest.count != 1 { return nil }
        return (try? Date.ISO8601FormatStyle().parse(upper))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(upper))
    }

    public static func oneOf(_ value: String, _ allowed: [String], _ path: String) throws {
        try require(allowed.contains(value), path, "must be one of \(allowed.joined(separator: ", "))")
    }
}

/// A calendar day (UTC) as the business counts it: due dates, value dates, "as of" dates.
public struct BusinessDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
              calendar.component(.day, from: date) == d, calendar.component(.month, from: date) == m else { return nil }
        year = y; month = m; day = d
    }

    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        year = c.year!; month = c.month!; day = c.day!
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public var startOfDay: Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    public func adding(days: Int) -> BusinessDate { BusinessDate(startOfDay.addingTimeInterval(Double(days) * 86_400)) }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: BusinessDate) -> Int {
        Int((other.startOfDay.timeIntervalSince(startOfDay) / 86_400).rounded())
    }

    public static func < (a: BusinessDate, b: BusinessDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = BusinessDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be a date YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An event with a fixed routing key on `bizops.events` (or a command on `bizops.ingress`).
public protocol RoutedContract: MessageContract {
    static var routingKey: String { get }
}

/// A quantity of one SKU: order lines, reservations, returns.
public struct ItemQuantity: Codable, Sendable, Equatable, Hashable {
    public let sku: String
    public let quantity: Int64
    public init(sku: String, quantity: Int64) { self.sku = sku; self.quantity = quantity }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sku = try c.decode(String.self, forKey: .sku)
        quantity = try c.decode(Int64.self, forKey: .quantity)
        let at = ContractRegistry.fieldPath(decoder.codingPath)
        try Validate.require(quantity > 0, at.isEmpty ? "quantity" : "\(at).quantity", "must be positive")
    }
}

/// A command other systems publish on `bizops.ingress` (events go on `bizops.events`).
public protocol CommandContract: RoutedContract {}
