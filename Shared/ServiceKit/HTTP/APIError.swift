import Contracts
import Foundation
import Hummingbird

/// An error answer of the HTTP API: `{"error": {"code": ..., "message": ...}}`, with a reason
/// code from `docs/contracts/README.md#reason-codes`.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Headers the answer needs besides its body (`Allow` on a 405).
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status; self.code = code; self.message = message; self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The body every error answer has.
    public struct Body: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable { public let code: String; public let message: String }
        public let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder.contracts.encode(Body(error: .init(code: code, message: message)))
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, "not-found", message) }
}
