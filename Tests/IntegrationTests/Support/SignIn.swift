import Departments
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit

/// Sign-in for the tests: the local issuer's key in `.local/auth` (the one `make run` uses, made
/// there if missing), tokens for people of the demo directory or made up for a test.
enum SignIn {
    static let issuer: LocalIssuer = try! LocalIssuer.prepare(TestServers.repoRoot.appendingPathComponent(".local/auth"))

    /// The departments' names in role names (`customer-service`), from the one list.
    static let departments = Departments.all.map { ServiceSpec.department(of: $0.id) }

    /// The default caller of the tests that are not about who may do what: each department's
    /// director, and operations.
    static let tester = DirectoryPerson(id: "tester", name: "Test Runner", department: "operations",
                                        roles: departments.map { "\($0):director" } + ["operations"])

    /// A person of the demo directory (deploy/demo/people.json).
    static func person(_ id: String) -> DirectoryPerson {
        let people = try! DirectoryPerson.load(TestServers.repoRoot.appendingPathComponent("deploy/demo/people.json"))
        guard let person = people.first(where: { $0.id == id }) else { fatalError("\(id) is not in deploy/demo/people.json") }
        return person
    }

    static func token(_ person: DirectoryPerson = tester, lifetime: TimeInterval = 3600) async throws -> String {
        try await issuer.token(for: person, lifetime: lifetime)
    }

    /// The local issuer's settings for a service hosted in-process.
    static var config: Authenticator.Config {
        Authenticator.Config(keys: .file(issuer.jwksFile.path), issuer: LocalIssuer.issuer, audience: LocalIssuer.audience)
    }
}

/// Hummingbird's test client with a bearer token on every request that has none.
struct SignedClient: TestClientProtocol {
    let base: any TestClientProtocol
    let token: String?

    var port: Int? { base.port }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if let token, headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
        return try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
