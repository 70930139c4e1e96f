import Foundation

/// One result row, values kept as the text PostgreSQL sent (nil for NULL).
/// Typed accessors throw a decoding error naming the column.
public struct PGRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns; self.values = values
    }

    func raw(_ column: String) throws -> String? {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(.decoding, message: "no column \"\(column)\" in result (have \(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    func required(_ column: String) throws -> String {
        guard let value = try raw(column) else {
            throw PostgresError(.decoding, message: "column \"\(column)\" is NULL")
        }
        return value
    }

    private func fail(_ column: String, _ type: String, _ value: String) -> PostgresError {
        PostgresError(.decoding, message: "column \"\(column)\" is not \(type): \(value.prefix(60))")
    }

    public func isNull(_ column: String) throws -> Bool { try raw(column) == nil }

    /// A stored code as its enum. A value no case matches is an error naming it, never a guess:
    /// the service's own data should only hold what its code wrote.
    public func code<T: RawRepresentable>(_ column: String, as type: T.Type) throws -> T where T.RawValue == String {
        let text = try required(column)
        guard let value = T(rawValue: text) else { throw fail(column, "a known \(T.self)", text) }
        return value
    }

    public func string(_ column: String) throws -> String { try required(column) }
    public func optionalString(_ column: String) throws -> String? { try raw(column) }

    public func int(_ column: String) throws -> Int64 {
        let text = try required(column)
        guard let value = Int64(text) else { throw fail(column, "an integer", text) }
        return value
    }
    public func optionalInt(_ column: String) throws -> Int64? {
        try raw(column) == nil ? nil : try int(column)
    }

    public func bool(_ column: String) throws -> Bool {
        let text = try required(column)
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: throw fail(column, "a boolean", text)
        }
    }

    public func uuid(_ column: String) throws -> UUID {
        let text = try required(column)
        guard let value = UUID(uuidString: text) else { throw fail(column, "a uuid", text) }
        return value
    }

    public func timestamp(_ column: String) throws -> Date {
        let text = try required(column)
        guard let value = PGTime.parse(text) else { throw fail(column, "a timestamp", text) }
        return value
    }
    public func optionalTimestamp(_ column: String) throws -> Date? {
        try raw(column) == nil ? nil : try timestamp(column)
    }

    /// A `date` column as `YYYY-MM-DD`.
    public func date(_ column: String) throws -> String {
        let text = try required(column)
        guard text.count == 10, PGTime.parse(text + " 00:00:00+00") != nil else { throw fail(column, "a date", text) }
        return text
    }

    /// Money stored as numeric or bigint, in integer minor units; a fraction is an error.
    public func minorUnits(_ column: String) throws -> Int64 {
        let text = try required(column)
        if let value = Int64(text) { return value }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, parts[1].allSatisfy({ $0 == "0" }), let value = Int64(parts[0]) { return value }
        throw fail(column, "a whole number of minor units", text)
    }

    /// A jsonb column decoded into `T`.
    public func json<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let text = try required(column)
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw PostgresError(.decoding, message: "column \"\(column)\" does not decode as \(T.self): \(error)")
        }
    }
}
