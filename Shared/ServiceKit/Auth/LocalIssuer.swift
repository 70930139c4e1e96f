import Foundation
import JWTKit

/// The local stand-in for a company's identity provider (`make run` and the tests): a folder
/// (`.local/auth`) holding the current ES256 signing key and the JWKS the services trust, and
/// tokens for the people of a directory file. Rotating makes a new signing key and keeps the
/// previous one in the JWKS, so tokens already issued stay valid until they expire.
public struct LocalIssuer: Sendable {
    public static let issuer = "bizops-local"
    public static let audience = "bizops"

    public let folder: URL
    public var jwksFile: URL { folder.appendingPathComponent("jwks.json") }
    public var keyFile: URL { folder.appendingPathComponent("signing-key.pem") }
    var kidFile: URL { folder.appendingPathComponent("signing-kid") }

    /// The issuer of a folder, with a signing key and JWKS made there if it has none.
    public static func prepare(_ folder: URL) throws -> LocalIssuer {
        let issuer = LocalIssuer(folder: folder)
        if !FileManager.default.fileExists(atPath: issuer.keyFile.path) || !FileManager.default.fileExists(atPath: issuer.jwksFile.path) {
            try issuer.rotate(keep: false)
        }
        return issuer
    }

    /// A new signing key; the JWKS lists it and (with `keep`) the one before it. Returns its kid.
    @discardableResult
    public func rotate(keep: Bool = true) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let key = ES256PrivateKey()
        let kid = "local-" + UUID().uuidString.lowercased().prefix(8)
        guard let parameters = key.parameters else { throw Problem("cannot read the new key's parameters") }
        var keys: [[String: String]] = [["kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
                                         "x": parameters.x, "y": parameters.y]]
        if keep, let data = FileManager.default.contents(atPath: jwksFile.path),
           let old = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["keys"] as? [[String: String]], let previous = old.first {
            keys.append(previous)
        }
        // The JWKS first, so no token is signed with a key the services cannot find yet.
        try Self.write(try JSONSerialization.data(withJSONObject: ["keys": keys], options: [.prettyPrinted, .sortedKeys]), to: jwksFile, mode: 0o644)
        try Self.write(Data(key.pemRepresentation.utf8), to: keyFile, mode: 0o600)
        try Self.write(Data(kid.utf8), to: kidFile, mode: 0o600)
        return kid
    }

    /// What makes a token one the services refuse (401): for an integrator's own negative tests.
    public enum Spoiled: String, CaseIterable, Sendable {
        /// expired an hour ago
        case expired
        /// signed by this key, but naming another issuer (`iss`)
        case issuer
        /// naming another audience (`aud`)
        case audience
        /// its signature changed
        case signature
        /// its header names no key id (`kid`)
        case noKid = "no-kid"
    }

    /// A token the services refuse, for the reason given; otherwise like `token(for:)`.
    public func token(for person: DirectoryPerson, spoiled: Spoiled) async throws -> String {
        switch spoiled {
        case .expired: return try await token(for: person, lifetime: 60, now: Date().addingTimeInterval(-3600))
        case .issuer: return try await token(for: person, issuer: "not-\(Self.issuer)")
        case .audience: return try await token(for: person, audience: "not-\(Self.audience)")
        case .signature, .noKid:
            var parts = try await token(for: person).split(separator: ".").map(String.init)
            if spoiled == .signature {
                // A character in the middle: the last one of a segment may only carry padding bits.
                var signature = Array(parts[2])
                let middle = signature.count / 2
                signature[middle] = signature[middle] == "A" ? "B" : "A"
                parts[2] = String(signature)
            } else {
                let header = try JSONSerialization.jsonObject(with: Self.base64URLDecoded(parts[0])) as? [String: Any] ?? [:]
                let data = try JSONSerialization.data(withJSONObject: header.filter { $0.key != "kid" }, options: [.sortedKeys])
                parts[0] = data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
            }
            return parts.joined(separator: ".")
        }
    }

    static func base64URLDecoded(_ text: String) throws -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { throw Problem("not base64url: \(text)") }
        return data
    }

    /// A signed token for a person, valid for `lifetime` seconds.
    public func token(for person: DirectoryPerson, lifetime: TimeInterval = 8 * 3600, now: Date = Date(),
                      issuer: String = LocalIssuer.issuer, audience: String = LocalIssuer.audience) async throws -> String {
        guard let pem = FileManager.default.contents(atPath: keyFile.path), let kid = FileManager.default.contents(atPath: kidFile.path) else {
            throw Problem("no signing key in \(folder.path): run `bizctl keys init`")
        }
        let keys = JWTKeyCollection()
        let id = JWKIdentifier(string: String(decoding: kid, as: UTF8.self))
        await keys.add(ecdsa: try ES256PrivateKey(pem: pem), kid: id)
        let claims = Person(subject: person.id, name: person.name, department: person.department, team: person.team,
                            manager: person.manager, roles: person.roles, issuer: issuer, audience: audience,
                            expires: now.addingTimeInterval(lifetime), issued: now)
        return try await keys.sign(claims, kid: id)
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    private static func write(_ data: Data, to url: URL, mode: Int) throws {
        let temporary = url.appendingPathExtension("tmp")
        try data.write(to: temporary)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary.path)
        // rename(2) replaces the file at once: a service reading the JWKS never sees half of one.
        guard rename(temporary.path, url.path) == 0 else { throw Problem("cannot write \(url.path)") }
    }
}

/// One person of a directory file (`deploy/demo/people.json`): what an identity provider
/// would put in their token.
public struct DirectoryPerson: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var department: String?
    public var team: String?
    public var manager: String?
    public var roles: [String]

    public init(id: String, name: String, department: String? = nil, team: String? = nil, manager: String? = nil, roles: [String]) {
        self.id = id; self.name = name; self.department = department; self.team = team; self.manager = manager; self.roles = roles
    }

    /// The people of a directory file (`{"people": [...]}`).
    public static func load(_ file: URL) throws -> [DirectoryPerson] {
        struct File: Decodable { let people: [DirectoryPerson] }
        guard let data = FileManager.default.contents(atPath: file.path) else { throw LocalIssuer.Problem("cannot read the directory \(file.path)") }
        return try JSONDecoder().decode(File.self, from: data).people
    }
}
