import Foundation
import JWTKit

/// Who is calling, as the identity provider's token says: the subject, the directory's facts
/// (name, department, team, manager) and the roles (`<department>:staff|manager|director`,
/// `legal`, `executive`, `operations`, `auditor`).
public struct Person: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var name: String?
    public var department: String?
    public var team: String?
    public var manager: String?
    public var roles: [String]
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim?

    public init(subject: String, name: String?, department: String?, team: String?, manager: String?, roles: [String],
                issuer: String, audience: String, expires: Date, issued: Date = Date()) {
        sub = SubjectClaim(value: subject); self.name = name; self.department = department; self.team = team
        self.manager = manager; self.roles = roles
        iss = IssuerClaim(value: issuer); aud = AudienceClaim(value: [audience])
        exp = ExpirationClaim(value: expires); iat = IssuedAtClaim(value: issued)
    }

    public var subject: String { sub.value }

    /// The signature is checked by the key collection; here, the time.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
