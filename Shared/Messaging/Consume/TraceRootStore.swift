import Storage

/// Every statement on `trace_roots`: the first trace of each correlation id, so a flow's later
/// spans link to where it began.
struct TraceRootStore {
    let connection: PGConnection

    init(_ connection: PGConnection) { self.connection = connection }

    func roots(_ correlationIds: [String]) throws -> [String: TraceContext] {
        var found: [String: TraceContext] = [:]
        for row in try connection.query("SELECT correlation_id, traceparent FROM trace_roots WHERE correlation_id = ANY($1::text[])",
                                        [.textArray(correlationIds)]) {
            if let id = try? row.string("correlation_id"), let trace = (try? row.string("traceparent")).flatMap({ TraceContext($0) }) {
                found[id] = trace
            }
        }
        return found
    }

    /// Keeps the first trace of each (a root already kept stays).
    func keep(_ roots: [(correlationId: String, traceparent: String)]) throws {
        try connection.execute("""
            INSERT INTO trace_roots (correlation_id, traceparent)
            SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (correlation_id) DO NOTHING
            """, [.textArray(roots.map(\.correlationId)), .textArray(roots.map(\.traceparent))])
    }

    func prune(olderThan seconds: Int) throws -> Int {
        try connection.execute("DELETE FROM trace_roots WHERE first_seen_at < now() - make_interval(secs => $1)",
                               [.int(Int64(seconds))]).affectedRows
    }
}
