import Contracts
import Foundation
import Hummingbird
import Messaging
import Storage

/// JSON in and out of the HTTP APIs not yet on typed routes (reads shaped by PostgreSQL's
/// `json_agg`/`row_to_json`). Services move to Codable answers from their Store, and this goes.
public enum HTTPJSON {
    public static func response(json: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    public static func object(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return response(json: String(decoding: data, as: UTF8.self), status: status)
    }

    public static func encodable<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        response(json: String(decoding: try JSONEncoder.contracts.encode(value), as: UTF8.self), status: status)
    }

    /// The rows of `select` as a JSON array.
    public static func list(_ pool: PostgresPool, _ select: String, _ params: [PGValue] = []) async throws -> Response {
        let row = try await pool.query("SELECT COALESCE(json_agg(t), '[]'::json)::text AS j FROM (\(select)) t", params).first
        return response(json: try row?.string("j") ?? "[]")
    }

    /// The first row of `select` as a JSON object, or 404 saying what was not found.
    public static func one(_ pool: PostgresPool, _ select: String, _ params: [PGValue] = [], notFound: String) async throws -> Response {
        guard let row = try await pool.query("SELECT row_to_json(t)::text AS j FROM (\(select)) t LIMIT 1", params).first else {
            throw APIError.notFound(notFound)
        }
        return response(json: try row.string("j"))
    }

    /// Decodes a JSON body with the same strict rules as the bus: 400 naming the field.
    public static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        do {
            return try ContractRegistry.decodeStrict(T.self, from: Data(buffer.readableBytesView))
        } catch let error as ContractError {
            throw APIError(.badRequest, error.code.rawValue, error.message)
        }
    }
}

extension ServiceEnvironment {
    /// 404 for what does not exist, 403 for a person without the right, 422 for a request that
    /// names something unknown or asks the impossible, 409 for a rule the current state refuses.
    static func status(of code: ReasonCode) -> HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .notAuthorised: .forbidden
        case _ where code.rawValue.hasPrefix("unknown-") || code.rawValue.hasPrefix("invalid-"): .unprocessableContent
        default: .conflict
        }
    }

    /// A person's command from the HTTP API: state and events in one transaction. A rule
    /// it breaks (`Refusal`) answers 409 with the reason code, 404 for `not-found` (and is kept
    /// in the refusal log, like a refused message).
    @discardableResult
    public func perform<T: Sendable>(_ request: String = "http", correlationId: String? = nil,
                                     _ body: @escaping @Sendable (UnitOfWork) throws -> T) async throws -> T {
        do {
            return try await command(.request, type: request, correlationId: correlationId, body)
        } catch let refusal as Refusal {
            logger.notice("request refused", metadata: ["reason": "\(refusal.code)", "detail": "\(refusal.message)"])
            let id = self.id
            do {
                try await pool.transaction { tx in
                    try RefusalLog.record(refusal, request: request, actor: nil, correlationId: correlationId, service: id, tx)
                }
                RefusalLog.count([refusal.code], service: id)
            } catch {
                logger.warning("could not keep a refused request in the refusal log", metadata: ["error": "\(error)"])
            }
            throw APIError(Self.status(of: refusal.code), refusal.code.rawValue, refusal.message)
        } catch let poison as Poison {
            throw APIError(Self.status(of: poison.code), poison.code.rawValue, poison.message)
        } catch let error as ContractError {
            throw APIError(.badRequest, error.code.rawValue, error.message)
        }
    }
}
