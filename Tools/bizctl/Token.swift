import ArgumentParser
import Foundation
import ServiceKit

/// Issues a sign-in token for a person of the directory file, signed with the local key: the
/// local stand-in for a company's identity provider (in production the provider issues them).
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a bearer token for a person of the local directory.",
        discussion: "Use it as `Authorization: Bearer <token>` on the services' HTTP APIs. The people and their roles are in "
            + "the directory file (deploy/demo/people.json); the key is the local one (`bizctl keys init`). "
            + "Example: curl -H \"authorization: Bearer $(bizctl token --user wang.fang)\" http://127.0.0.1:8081/orders")

    @Option(help: "The person's id in the directory, e.g. wang.fang.")
    var user: String

    @Option(help: "The directory file.")
    var directory: String = "deploy/demo/people.json"

    @OptionGroup var keys: KeyFolder

    @Option(help: "How long the token is valid, in minutes (1 to 1440).")
    var minutes: Int = 480

    @Option(help: ArgumentHelp("A token the services refuse (401), for negative tests: "
        + LocalIssuer.Spoiled.allCases.map(\.rawValue).joined(separator: ", ") + ".",
        discussion: "expired: an hour ago; issuer, audience: naming others than the services trust; signature: changed; "
            + "no-kid: its header names no key."))
    var invalid: LocalIssuer.Spoiled?

    func validate() throws {
        guard (1...1440).contains(minutes) else { throw ValidationError("--minutes must be 1 to 1440") }
    }

    func run() async throws {
        let people = try DirectoryPerson.load(URL(fileURLWithPath: directory))
        guard let person = people.first(where: { $0.id == user }) else {
            throw ValidationError("\(user) is not in \(directory); its people are: \(people.map(\.id).joined(separator: ", "))")
        }
        let issuer = try LocalIssuer.prepare(keys.url)
        if let invalid {
            print(try await issuer.token(for: person, spoiled: invalid))
        } else {
            print(try await issuer.token(for: person, lifetime: TimeInterval(minutes * 60)))
        }
    }
}

/// Makes or rotates the local signing key and the JWKS the services read (`AUTH_JWKS_FILE`).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make (init) or rotate the local signing key and its JWKS.",
        discussion: "init makes a key and jwks.json in the folder if it has none. rotate makes a new signing key and keeps "
            + "the previous one in the JWKS, so tokens already issued stay valid; running services pick the new key up "
            + "without a restart.")

    enum Action: String, ExpressibleByArgument, CaseIterable { case `init`, rotate }

    @Argument(help: "init or rotate.")
    var action: Action

    @OptionGroup var keys: KeyFolder

    func run() throws {
        switch action {
        case .`init`:
            let issuer = try LocalIssuer.prepare(keys.url)
            print(issuer.jwksFile.path)
        case .rotate:
            let kid = try LocalIssuer.prepare(keys.url).rotate()
            print("new signing key \(kid) in \(keys.url.path)")
        }
    }
}

struct KeyFolder: ParsableArguments {
    @Option(name: .customLong("keys"), help: "The folder of the local signing key and JWKS.")
    var path: String = ".local/auth"

    var url: URL { URL(fileURLWithPath: path) }
}

extension LocalIssuer.Spoiled: ExpressibleByArgument {}
