/// An error from PostgreSQL or libpq, with the SQLSTATE when the server sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// `pool`: no connection of the pool came free in time (transient: try again later).
    public enum Kind: Sendable { case connection, server, decoding, usage, pool }
    public let kind: Kind
    public let sqlState: String?
    public let message: String
    public let detail: String?

    public init(_ kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil) {
        self.kind = kind; self.sqlState = sqlState; self.message = message; self.detail = detail
    }

    public var description: String {
        var text = sqlState.map { "PostgreSQL \($0): \(message)" } ?? "PostgreSQL: \(message)"
        if let detail { text += " (\(detail))" }
        return text
    }

    /// Worth running the whole transaction again: serialization failure, deadlock, lock timeout.
    public var isRetryableConflict: Bool {
        ["40001", "40P01", "55P03"].contains(sqlState ?? "")
    }

    /// The server or the link to it is gone or refusing for now, a statement ran past
    /// `statement_timeout` (57014), or the pool is busy; a later attempt may succeed.
    public var isTransient: Bool {
        if kind == .connection || kind == .pool || isRetryableConflict { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
    }
}
