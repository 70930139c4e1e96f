import CLibPQ
import Foundation

/// The rows of a statement and how many rows it touched.
public struct PGResult: Sendable {
    public let rows: [PGRow]
    public let affectedRows: Int
}

/// One libpq connection. Not thread-safe: it lives inside a `Confined` and is only
/// touched on its worker's thread.
public final class PGConnection {
    private var handle: OpaquePointer?
    public let url: String
    public let schema: String?
    public let applicationName: String
    /// libpq `options` (session settings such as `-c statement_timeout=30000`), or empty.
    public let options: String

    public init(url: String, schema: String?, applicationName: String, options: String = "") throws {
        self.url = url
        self.schema = schema
        self.applicationName = applicationName
        self.options = options
        try connect()
    }

    deinit { if let handle { PQfinish(handle) } }

    public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// (Re)opens the link and puts the session into UTC and the service's schema.
    public func connect() throws {
        if let handle { PQfinish(handle) }
        handle = nil
        var keys = ["dbname", "connect_timeout", "application_name"]
        var values = [url, "5", applicationName]
        if !options.isEmpty { keys.append("options"); values.append(options) }
        let conn = withCStrings(keys) { k in withCStrings(values) { v in PQconnectdbParams(k, v, 1) } }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let message = conn.map { String(cString: PQerrorMessage($0)).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "out of memory"
            if let conn { PQfinish(conn) }
            throw PostgresError(.connection, message: "cannot connect: \(message)")
        }
        handle = conn
        try exec("SET TIME ZONE 'UTC'")
        if let schema {
            try exec("SET search_path TO \(try Self.quoteIdentifier(schema))")
        }
    }

    /// Quotes a schema or channel name; names come from code and config, never from messages.
    public static func quoteIdentifier(_ name: String) throws -> String {
        guard !name.isEmpty, name.count <= 63,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresError(.usage, message: "invalid identifier \"\(name)\": use letters, digits and _")
        }
        return "\"\(name)\""
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connection, message: "connection is closed")
        }
        return handle
    }

    /// Runs one or more statements without parameters (migrations, BEGIN/COMMIT).
    public func exec(_ sql: String) throws {
        let conn = try liveHandle()
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        try check(result, conn)
    }

    /// Runs a parameterised statement: values travel apart from the SQL text.
    @discardableResult
    public func execute(_ sql: String, _ params: [PGValue] = []) throws -> PGResult {
        let conn = try liveHandle()
        let texts = params.map(\.wireText)
        let result: OpaquePointer? = withOptionalCStrings(texts) { pointers in
            PQexecParams(conn, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, conn)
        return read(result!)
    }

    public func query(_ sql: String, _ params: [PGValue] = []) throws -> [PGRow] {
        try execute(sql, params).rows
    }

    private func check(_ result: OpaquePointer?, _ conn: OpaquePointer) throws {
        guard let result else {
            throw PostgresError(.connection, message: String(cString: PQerrorMessage(conn)))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: return
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            let detail = PQresultErrorField(result, Int32(UInt8(ascii: "D"))).map { String(cString: $0) }
            let message = primary ?? String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            let lost = PQstatus(conn) != CONNECTION_OK
            throw PostgresError(lost || state == nil ? .connection : .server, sqlState: state, message: message, detail: detail)
        }
    }

    private func read(_ result: OpaquePointer) -> PGResult {
        let rowCount = Int(PQntuples(result))
        let fieldCount = Int(PQnfields(result))
        let columns = (0..<fieldCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PGRow] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(fieldCount)
            for c in 0..<fieldCount {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
            rows.append(PGRow(columns: columns, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PGResult(rows: rows, affectedRows: affected)
    }

    /// Waits up to `timeout` seconds for NOTIFY messages on channels this session LISTENs to.
    /// Returns their channel names (possibly none).
    public func waitForNotifications(timeout: Double) throws -> [String] {
        let conn = try liveHandle()
        var channels = drainNotifications(conn)
        if !channels.isEmpty { return channels }
        var descriptor = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        if ready < 0 && errno != EINTR {
            throw PostgresError(.connection, message: "poll failed: errno \(errno)")
        }
        if ready > 0 {
            guard PQconsumeInput(conn) == 1 else {
                throw PostgresError(.connection, message: String(cString: PQerrorMessage(conn)))
            }
            channels = drainNotifications(conn)
        }
        return channels
    }

    private func drainNotifications(_ conn: OpaquePointer) -> [String] {
        var channels: [String] = []
        while let note = PQnotifies(conn) {
            channels.append(String(cString: note.pointee.relname))
            PQfreemem(note)
        }
        return channels
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}
