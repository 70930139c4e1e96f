import Contracts
import Foundation
import Hummingbird

/// An error answer of the HTTP API: `{"error": {"code": ..., "message": ...}}`, with a reason
/// code from `docs/contracts/README.md#reason-codes`.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status; self.code = code; self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The body every error answer has.
    public struct Body: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable { public let code: String; public let message: String }
        public let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder.contracts.encode(Body(error: .init(code: code, message: message)))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, "not-found", message) }
}
