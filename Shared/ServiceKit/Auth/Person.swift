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

    /// Where the roles are in the token (`AUTH_ROLES_CLAIM`, a dotted path): `roles` by default;
    /// providers put them elsewhere, e.g. Keycloak's `realm_access.roles`, or `groups`.
    public static let rolesClaimKey = CodingUserInfoKey(rawValue: "bizops.rolesClaim")!

    enum CodingKeys: String, CodingKey { case sub, name, department, team, manager, roles, iss, aud, exp, iat }

    struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sub = try c.decode(SubjectClaim.self, forKey: .sub)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        department = try c.decodeIfPresent(String.self, forKey: .department)
        team = try c.decodeIfPresent(String.self, forKey: .team)
        manager = try c.decodeIfPresent(String.self, forKey: .manager)
        iss = try c.decode(IssuerClaim.self, forKey: .iss)
        aud = try c.decode(AudienceClaim.self, forKey: .aud)
        exp = try c.decode(ExpirationClaim.self, forKey: .exp)
        iat = try c.decodeIfPresent(IssuedAtClaim.self, forKey: .iat)
        // Roles not where they are expected, or not a list of strings, are no roles: every route then says which it needs.
        let path = decoder.userInfo[Self.rolesClaimKey] as? [String] ?? ["roles"]
        var container = try decoder.container(keyedBy: AnyKey.self)
        for step in path.dropLast() {
            guard let inner = try? container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: step)) else { roles = []; return }
            container = inner
        }
        roles = (try? container.decodeIfPresent([String].self, forKey: AnyKey(stringValue: path.last ?? "roles"))) ?? []
    }

    /// The signature is checked by the key collection; here, the time.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
