import Contracts
import Foundation
import Hummingbird
import Messaging
import Storage

extension ServiceEnvironment {
    /// 404 for what does not exist, 403 for a person without the right, 422 for a request that
    /// names something unknown or asks the impossible, 409 for a rule the current state refuses.
    static func status(of code: ReasonCode) -> HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .notAuthorised, .selfApproval, .notApprover, .forbidden: .forbidden
        case .unauthenticated: .unauthorized
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
            // Read here: the transaction's closure runs on a database thread, outside this task's locals.
            let id = self.id, actor = RequestActor.current?.subject
            do {
                try await pool.transaction { tx in
                    try RefusalLog.record(refusal, request: request, actor: actor, correlationId: correlationId, tx)
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
        } catch let error as PostgresError where error.kind == .server && !error.isTransient {
            // A value the database will never take (as a message's would be dead-lettered `database-rejected`).
            logger.notice("request rejected by the database", metadata: ["error": "\(error)"])
            throw APIError(.unprocessableContent, ReasonCode.databaseRejected.rawValue, "the database refused the request: \(error.message)")
        }
    }
}
