import Foundation

/// A parameter for a parameterised statement, sent in PostgreSQL's text format.
public enum PGValue: Sendable, Equatable {
    case null
    case text(String)
    case int(Int64)
    case bool(Bool)
    case uuid(UUID)
    case timestamp(Date)
    case date(String)
    case json(String)
    case textArray([String])

    /// The text the server parses for this value; nil is SQL NULL.
    var wireText: String? {
        switch self {
        case .null: return nil
        case .text(let s), .json(let s), .date(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "t" : "f"
        case .uuid(let u): return u.uuidString.lowercased()
        case .timestamp(let d): return PGTime.format(d)
        case .textArray(let items): return PGValue.arrayLiteral(items)
        }
    }

    /// `{"a","b"}` with quotes and backslashes escaped, for `$1::text[]`.
    static func arrayLiteral(_ items: [String]) -> String {
        let quoted = items.map { item -> String in
            var escaped = ""
            for ch in item {
                if ch == "\"" || ch == "\\" { escaped.append("\\") }
                escaped.append(ch)
            }
            return "\"\(escaped)\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}

extension PGValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Timestamps travel as UTC ISO 8601 text; sessions run with TimeZone=UTC.
enum PGTime {
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }

    /// Parses what PostgreSQL prints for timestamptz under TimeZone=UTC:
    /// `2026-11-23 11:21:17.123456+00`.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<from + count] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var index = 19
        var micros = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 6 { micros = micros * 10 + Int(bytes[index] - 48); digits += 1 }
                index += 1
            }
            while digits < 6 { micros *= 10; digits += 1 }
        }
        var offsetSeconds = 0
        if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            let hours = number(index + 1, 2) ?? 0
            let minutes = (index + 3 < bytes.count && bytes[index + 3] == UInt8(ascii: ":")) ? (number(index + 4, 2) ?? 0) : 0
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900); parts.tm_mon = Int32(month - 1); parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour); parts.tm_min = Int32(minute); parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offsetSeconds) + Double(micros) / 1_000_000)
    }
}
