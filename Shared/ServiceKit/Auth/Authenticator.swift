import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JWTKit
import Logging

/// Verifies bearer tokens against the issuer's keys (a JWKS from a file or a URL). A token
/// signed with a key it does not know makes it read the keys again, so a rotated key is accepted
/// without a restart; such reads are at most one per `reloadInterval`, so tokens with made-up
/// key ids cannot make it fetch the JWKS on every request. The keys are also read again once
/// they are `refreshInterval` old, so a key the issuer withdrew stops being trusted within it.
public actor Authenticator {
    public struct Config: Sendable, Equatable {
        public enum Keys: Sendable, Equatable { case file(String), url(URL) }
        public var keys: Keys
        public var issuer: String
        public var audience: String
        public var reloadInterval: Duration = .seconds(5)
        /// How old the keys read may get before the next token makes it read them again (`AUTH_JWKS_REFRESH_SECONDS`).
        public var refreshInterval: Duration? = .seconds(300)
        /// Where the token keeps the roles (`AUTH_ROLES_CLAIM`), as path segments: `["roles"]`, `["realm_access", "roles"]`.
        public var rolesClaim: [String] = ["roles"]
        public init(keys: Keys, issuer: String, audience: String) { self.keys = keys; self.issuer = issuer; self.audience = audience }
    }

    /// Why a token was not accepted (what a 401 says; never the token itself).
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    public let config: Config
    private var collection = JWTKeyCollection()
    private var parser: DefaultJWTParser {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        decoder.userInfo[Person.rolesClaimKey] = config.rolesClaim
        return DefaultJWTParser(jsonDecoder: decoder)
    }
    /// The key ids of the keys read.
    private var kids: Set<String> = []
    /// When an unknown key id last made it read the keys.
    private var reloadedForUnknownKey: ContinuousClock.Instant?
    /// When the keys were last read (successfully or not: a failing issuer is asked again only after `reloadInterval`).
    private var loadedAt: ContinuousClock.Instant?
    private let logger: Logger

    public init(_ config: Config, logger: Logger) {
        self.config = config; self.logger = logger
    }

    /// Reads the keys now; start-up calls it so a missing or broken JWKS stops the service at once.
    public func load() async throws {
        loadedAt = .now
        let json: Data
        switch config.keys {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw Refused(description: "cannot read the JWKS file \(path)") }
            json = data
        case .url(let url):
            let (data, response) = try await URLSession.shared.data(from: url)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw Refused(description: "the JWKS at \(url) did not answer 200") }
            json = data
        }
        let jwks: JWKS
        do { jwks = try JSONDecoder().decode(JWKS.self, from: json) } catch {
            throw Refused(description: "the JWKS is not valid: \(error)")
        }
        let fresh = JWTKeyCollection(defaultJWTParser: parser)
        try await fresh.add(jwks: jwks)
        collection = fresh
        kids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        logger.info("signing keys loaded", metadata: ["keys": "\(jwks.keys.count)", "kids": "\(jwks.keys.compactMap { $0.keyIdentifier?.string })"])
    }

    private var inFlight: Task<Void, Error>?

    /// Reads the keys again, joining a read already under way: two reads at once (a refresh and
    /// an unknown key id) could otherwise finish out of order and leave the older keys in place.
    private func reload() async throws {
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.load() }
        inFlight = task
        defer { inFlight = nil }
        try await task.value
    }

    /// The person the token names, or `Refused` saying why not. A key id the keys do not have
    /// makes it read them again first (a rotation); jwt-kit would otherwise try its default key.
    public func authenticate(_ token: String) async throws -> Person {
        guard let header = try? parser.parse(Array(token.utf8), as: Person.self).header else {
            throw Refused(description: "the token is malformed")
        }
        // Without a key id jwt-kit would try whichever key it holds first: every issuer's token names its key.
        guard let kid = header.kid else { throw Refused(description: "the token names no signing key (kid)") }
        if let refresh = config.refreshInterval, let loadedAt, ContinuousClock.now - loadedAt >= refresh {
            do { try await reload() } catch { logger.warning("cannot read the signing keys again; keeping those read before", metadata: ["error": "\(error)"]) }
        }
        if !kids.contains(kid) {
            if reloadedForUnknownKey.map({ ContinuousClock.now - $0 >= config.reloadInterval }) ?? true {
                reloadedForUnknownKey = .now
                do { try await reload() } catch { logger.warning("cannot read the signing keys again", metadata: ["error": "\(error)"]) }
            }
            guard kids.contains(kid) else { throw Refused(description: "the token's key is not known") }
        }
        return try await verify(token)
    }

    private func verify(_ token: String) async throws -> Person {
        let person: Person
        do { person = try await collection.verify(token, as: Person.self) } catch let error as JWTError {
            throw Refused(description: Self.reason(error))
        } catch { throw Refused(description: "the token is not valid") }
        guard person.iss.value == config.issuer else { throw Refused(description: "the token is from another issuer") }
        guard person.aud.value.contains(config.audience) else { throw Refused(description: "the token is for another audience") }
        return person
    }

    private static func reason(_ error: JWTError) -> String {
        switch error.errorType {
        case .claimVerificationFailure: "the token has expired or its claims are not valid"
        case .signatureVerificationFailed: "the token's signature is not valid"
        case .malformedToken: "the token is malformed"
        default: "the token is not valid"
        }
    }
}
