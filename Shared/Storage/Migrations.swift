import Foundation
import Logging

/// One versioned change to a service's schema. Once applied, its SQL must never change:
/// the runner refuses to start when an applied migration's checksum differs.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(_ version: Int, _ name: String, _ sql: String) {
        self.version = version; self.name = name; self.sql = sql
    }

    /// FNV-1a 64 of the SQL text: enough to notice an edited migration.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case checksumChanged(version: Int, name: String, applied: String, current: String)
    case duplicateVersion(Int)

    public var description: String {
        switch self {
        case let .checksumChanged(version, name, applied, current):
            return "migration \(version) (\(name)) was changed after it was applied (checksum \(applied) in the database, \(current) in the code); add a new migration instead"
        case let .duplicateVersion(version):
            return "two migrations share version \(version)"
        }
    }
}

public enum Migrator {
    /// Applies the missing migrations in version order, each in its own transaction,
    /// under an advisory lock so that replicas starting together apply each exactly once.
    /// Returns the versions this call applied.
    @discardableResult
    public static func apply(_ migrations: [Migration], pool: PostgresPool, logger: Logger) async throws -> [Int] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version)
        }
        let lockKey = "bizops.migrations.\(pool.config.schema ?? "public")"
        return try await pool.withConnection { lease in
            try await lease.run { conn in
                // A migration may be long, and a replica waits for another's: no session limits here.
                try conn.exec("SET statement_timeout = 0; SET lock_timeout = 0")
                defer { try? conn.exec("RESET statement_timeout; RESET lock_timeout") }
                try conn.execute("SELECT pg_advisory_lock(hashtext($1))", [.text(lockKey)])
                defer { _ = try? conn.execute("SELECT pg_advisory_unlock(hashtext($1))", [.text(lockKey)]) }
                try conn.exec("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        checksum text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now())
                    """)
                var applied: [Int: String] = [:]
                for row in try conn.query("SELECT version, checksum FROM schema_migrations") {
                    applied[Int(try row.int("version"))] = try row.string("checksum")
                }
                var done: [Int] = []
                for migration in sorted {
                    if let checksum = applied[migration.version] {
                        guard checksum == migration.checksum else {
                            throw MigrationError.checksumChanged(version: migration.version, name: migration.name,
                                                                 applied: checksum, current: migration.checksum)
                        }
                        continue
                    }
                    _ = try Transaction.run(on: conn) { tx in
                        try tx.connection.exec(migration.sql)
                        try tx.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                                       [.int(Int64(migration.version)), .text(migration.name), .text(migration.checksum)])
                    }
                    logger.info("applied migration \(migration.version) \(migration.name)")
                    done.append(migration.version)
                }
                return done
            }
        }
    }
}
