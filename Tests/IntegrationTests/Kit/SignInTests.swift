import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import RiskService
import ServiceKit
import Testing

/// Sign-in: every route but `/health/*` and `/metrics` needs a valid token of the issuer (401
/// otherwise, saying why), and one of the roles the route names (403 naming them); a rotated key
/// is accepted without a restart; no token appears in any log line.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct SignInTests {
    func error(_ response: TestResponse) -> (code: String?, message: String) {
        let error = response.json["error"] as? [String: Any]
        return (error?["code"] as? String, error?["message"] as? String ?? "")
    }

    @Test func withoutAValidTokenIs401AndWithoutTheRoleIs403() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        let stranger = try LocalIssuer.prepare(FileManager.default.temporaryDirectory.appendingPathComponent("bizops-stranger-\(UUID())"))
        let person = SignIn.person("li.wei")
        let expired = try await SignIn.issuer.token(for: person, lifetime: 60, now: Date().addingTimeInterval(-3600))
        let foreign = try await stranger.token(for: person)
        let valid = try await SignIn.token(person)
        var characters = Array(valid)
        characters[characters.count - 3] = characters[characters.count - 3] == "A" ? "B" : "A"
        let tampered = String(characters)
        try await risk.http(as: nil) { client in
            let none = try await client.execute(uri: "/holds", method: .get)
            #expect(none.status == .unauthorized && error(none).code == "unauthenticated" && none.headers[.wwwAuthenticate] == "Bearer")
            #expect(error(none).message.contains("Bearer"))
            let cases: [(String, String)] = [("Bearer not-a-token", "malformed"), ("Bearer \(expired)", "expired"),
                                             ("Bearer \(foreign)", "key is not known"), ("Bearer \(tampered)", "signature"),
                                             ("Basic bGkud2VpOnB3", "Bearer")]
            for (header, reason) in cases {
                let refused = try await client.execute(uri: "/holds", method: .get, headers: [.authorization: header])
                #expect(refused.status == .unauthorized && error(refused).code == "unauthenticated", "\(reason)")
                #expect(error(refused).message.contains(reason), "\(error(refused).message) should say \(reason)")
            }
            let ok = try await client.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(valid)"])
            #expect(ok.status == .ok)
            // Signed out, nobody learns which paths exist; signed in, a path nobody serves is 404.
            #expect(try await client.execute(uri: "/nowhere", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/nowhere", method: .get, headers: [.authorization: "Bearer \(valid)"]).status == .notFound)
        }
        // Reads are open to the department, operations, executive and auditor; writes to the roles the route names.
        for (id, status) in [("risk.deng", HTTPResponse.Status.ok), ("zhou.ops", .ok), ("chen.jie", .ok), ("audit.sun", .ok),
                             ("wang.fang", .forbidden)] {
            let answer = try await risk.http(as: SignIn.person(id)) { try await $0.execute(uri: "/holds", method: .get) }
            #expect(answer.status == status, "\(id) reading /holds")
        }
        let auditorWrites = try await risk.http(as: SignIn.person("audit.sun")) { client in
            try await client.execute(uri: "/customers/C-9/credit", method: .put,
                                     body: ByteBuffer(string: #"{"creditLimit":1,"currency":"CNY","rating":"A"}"#))
        }
        #expect(auditorWrites.status == .forbidden && error(auditorWrites).code == "forbidden")
        #expect(error(auditorWrites).message.contains("risk:staff, risk:manager, risk:director") && error(auditorWrites).message.contains("auditor"))
        // Executive decides approvals but writes no department's data; the auditor reads approvals, never decides.
        let executiveWrites = try await risk.http(as: SignIn.person("chen.jie")) { client in
            try await client.execute(uri: "/customers/C-9/credit", method: .put,
                                     body: ByteBuffer(string: #"{"creditLimit":1,"currency":"CNY","rating":"A"}"#))
        }
        #expect(executiveWrites.status == .forbidden && error(executiveWrites).code == "forbidden")
        let auditorReadsApprovals = try await risk.http(as: SignIn.person("audit.sun")) { try await $0.execute(uri: "/approvals", method: .get) }
        #expect(auditorReadsApprovals.status == .ok)
        let auditorDecides = try await risk.http(as: SignIn.person("audit.sun")) { try await $0.execute(uri: "/approvals/1/approve", method: .post) }
        #expect(auditorDecides.status == .forbidden && error(auditorDecides).code == "forbidden")
        await risk.cleanUp()
    }

    /// What `bizctl token --invalid KIND` prints, for an integrator's own negative tests: each is
    /// refused with 401 and the reason it was made for.
    @Test func everySpoiledTokenIsRefusedForItsReason() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        let person = SignIn.person("li.wei")
        let reasons: [LocalIssuer.Spoiled: String] = [.expired: "expired", .issuer: "issuer", .audience: "audience",
                                                      .signature: "signature", .noKid: "key"]
        #expect(Set(reasons.keys) == Set(LocalIssuer.Spoiled.allCases))
        for (spoiled, reason) in reasons {
            let token = try await SignIn.issuer.token(for: person, spoiled: spoiled)
            let refused = try await risk.http(as: nil) { client in
                try await client.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(token)"])
            }
            #expect(refused.status == .unauthorized && error(refused).code == "unauthenticated", "\(spoiled)")
            #expect(error(refused).message.lowercased().contains(reason), "\(spoiled): \(error(refused).message) should say \(reason)")
        }
        await risk.cleanUp()
    }

    @Test func aRotatedKeyIsAcceptedWithoutARestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-rotation-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try LocalIssuer.prepare(folder)
        var config = Authenticator.Config(keys: .file(issuer.jwksFile.path), issuer: LocalIssuer.issuer, audience: LocalIssuer.audience)
        config.reloadInterval = .seconds(60)
        let risk = try await ServiceHarness.make(Risk.spec, auth: config)
        let person = SignIn.person("risk.deng")
        let before = try await issuer.token(for: person)
        func status(_ token: String) async throws -> HTTPResponse.Status {
            try await risk.http(as: nil) { try await $0.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(token)"]).status }
        }
        #expect(try await status(before) == .ok)
        try issuer.rotate()
        let after = try await issuer.token(for: person)
        #expect(try await status(after) == .ok, "the new key is read when a token names it")
        #expect(try await status(before) == .ok, "the previous key stays until it leaves the JWKS")
        // Keys are read again at most once a minute here: made-up key ids cannot make it read the JWKS every time.
        try issuer.rotate()
        try issuer.rotate()
        #expect(try await status(try await issuer.token(for: person)) == .unauthorized)
        await risk.cleanUp()
    }

    /// A key the issuer withdrew from its JWKS stops being trusted once the keys are read again
    /// (`AUTH_JWKS_REFRESH_SECONDS`), and a token naming no key is refused outright.
    @Test func aWithdrawnKeyStopsBeingTrustedAndATokenWithoutAKeyIdIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-withdrawn-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try LocalIssuer.prepare(folder)
        var config = Authenticator.Config(keys: .file(issuer.jwksFile.path), issuer: LocalIssuer.issuer, audience: LocalIssuer.audience)
        config.reloadInterval = .seconds(60)
        config.refreshInterval = .milliseconds(300)
        let risk = try await ServiceHarness.make(Risk.spec, auth: config)
        let person = SignIn.person("risk.deng")
        func status(_ token: String) async throws -> HTTPResponse.Status {
            try await risk.http(as: nil) { try await $0.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(token)"]).status }
        }
        let first = try await issuer.token(for: person)
        #expect(try await status(first) == .ok)
        try issuer.rotate()
        try issuer.rotate()  // the first key leaves the JWKS
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await status(first) == .unauthorized, "withdrawn by the issuer")
        #expect(try await status(try await issuer.token(for: person)) == .ok, "the current key, read with the refresh")
        // The same key and claims, signed without a key id.
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: try #require(FileManager.default.contents(atPath: issuer.keyFile.path))))
        let now = Date()
        let unnamed = try await keys.sign(Person(subject: person.id, name: person.name, department: person.department, team: person.team,
                                                 manager: person.manager, roles: person.roles, issuer: LocalIssuer.issuer,
                                                 audience: LocalIssuer.audience, expires: now.addingTimeInterval(600), issued: now))
        let refused = try await risk.http(as: nil) {
            try await $0.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(unnamed)"])
        }
        #expect(refused.status == .unauthorized && String(buffer: refused.body).contains("names no signing key"))
        await risk.cleanUp()
    }

    /// A provider that keeps the roles elsewhere (Keycloak: `realm_access.roles`) is read where
    /// `AUTH_ROLES_CLAIM` says; a token without roles there has none.
    @Test func rolesAreReadWhereTheProviderKeepsThem() async throws {
        struct KeycloakClaims: JWTPayload {
            let sub: SubjectClaim, iss: IssuerClaim, aud: AudienceClaim, exp: ExpirationClaim
            let realm_access: [String: [String]]
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-claims-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try LocalIssuer.prepare(folder)
        let kid = JWKIdentifier(string: String(decoding: try #require(FileManager.default.contents(atPath: folder.appendingPathComponent("signing-kid").path)), as: UTF8.self))
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: try #require(FileManager.default.contents(atPath: issuer.keyFile.path))), kid: kid)
        let token = try await keys.sign(KeycloakClaims(sub: SubjectClaim(value: "kc.user"), iss: IssuerClaim(value: LocalIssuer.issuer),
                                                       aud: AudienceClaim(value: [LocalIssuer.audience]), exp: ExpirationClaim(value: Date().addingTimeInterval(600)),
                                                       realm_access: ["roles": ["risk:staff", "offline_access"]]), kid: kid)
        var config = Authenticator.Config(keys: .file(issuer.jwksFile.path), issuer: LocalIssuer.issuer, audience: LocalIssuer.audience)
        let plain = try await ServiceHarness.make(Risk.spec, auth: config)
        let withoutMapping = try await plain.http(as: nil) { try await $0.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(token)"]) }
        #expect(withoutMapping.status == .forbidden, "no roles where the default looks")
        await plain.cleanUp()
        config.rolesClaim = ["realm_access", "roles"]
        let mapped = try await ServiceHarness.make(Risk.spec, auth: config)
        let read = try await mapped.http(as: nil) { try await $0.execute(uri: "/holds", method: .get, headers: [.authorization: "Bearer \(token)"]) }
        #expect(read.status == .ok, "risk:staff, from realm_access.roles")
        await mapped.cleanUp()
    }

    /// In production the keys come from the identity provider's JWKS URL (here a local HTTP server
    /// in front of the key folder), rotated there without a restart of the service.
    @Test func keysFromAJWKSURLAreUsedAndTheirRotationPickedUp() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-jwks-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let issuer = try LocalIssuer.prepare(folder)
        let port = freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate() }
        let url = URL(string: "http://127.0.0.1:\(port)/jwks.json")!
        #expect(await eventually(timeout: 10) { (try? await http(url.absoluteString, as: nil).status) == 200 })
        var config = Authenticator.Config(keys: .url(url), issuer: LocalIssuer.issuer, audience: LocalIssuer.audience)
        config.reloadInterval = .milliseconds(1)
        let auth = Authenticator(config, logger: TestServers.logger)
        try await auth.load()
        let person = SignIn.person("li.wei")
        #expect(try await auth.authenticate(try await issuer.token(for: person)).subject == "li.wei")
        try issuer.rotate()
        #expect(try await auth.authenticate(try await issuer.token(for: person)).subject == "li.wei", "the rotated key, read from the URL")
        await #expect(throws: Authenticator.Refused.self) {
            try await auth.authenticate(try await LocalIssuer.prepare(folder.appendingPathComponent("other")).token(for: person))
        }
    }

    /// Without its signing keys a service does not start: it says which file, and exits.
    @Test func aMissingJWKSStopsTheServiceAtStartUp() async throws {
        let probe = try await Probe.make()
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-jwks-\(UUID()).json").path
        let failing = try probe.start(env: ["AUTH_JWKS_FILE": missing, "STARTUP_TIMEOUT_SECONDS": "2"])
        let status = await failing.waitExit(timeout: 30)
        #expect(status != nil && status != 0, "it must not serve without keys")
        #expect(failing.text.contains("signing keys") && failing.text.contains(missing), "\(failing.text.suffix(1500))")
        await probe.cleanUp()
    }

    /// A real process at `trace`: tokens, valid or not, never reach its log.
    @Test func noTokenAppearsInAnyLogLine() async throws {
        let probe = try await Probe.make()
        let port = String(freePort())
        let service = try await probe.serve(env: ["LOG_LEVEL": "trace", "HTTP_PORT": port])
        let person = DirectoryPerson(id: "ops.tester", name: "Ops", roles: ["operations"])
        let valid = try await SignIn.token(person)
        let expired = try await SignIn.issuer.token(for: person, lifetime: 60, now: Date().addingTimeInterval(-3600))
        let url = "http://127.0.0.1:\(port)/refusals"
        // It consumes before its HTTP server listens: wait for that too.
        #expect(await eventually(timeout: 20) { (try? await http("http://127.0.0.1:\(port)/health/live", as: nil).status) == 200 })
        #expect(try await http(url, authorization: "Bearer \(valid)").status == 200)
        #expect(try await http(url, authorization: "Bearer \(expired)").status == 401)
        #expect(try await http(url, authorization: "Bearer \(valid.dropLast(4))AAAA").status == 401)
        #expect(try await http(url, authorization: "Bearer secret-looking-garbage-4711").status == 401)
        await service.stop()
        let log = service.text
        #expect(log.contains("sign-in refused"), "failed sign-ins are logged (without the token)")
        for token in [valid, expired, String(valid.dropLast(4))] {
            for part in token.split(separator: ".") where part.count > 12 {
                #expect(!log.contains(part), "a token's part in the log")
            }
        }
        #expect(!log.contains("secret-looking-garbage-4711"))
        await probe.cleanUp()
    }
}
