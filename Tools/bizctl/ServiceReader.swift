import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ServiceKit

/// How bizctl signs in to the services' HTTP APIs: a token (`--token`, BIZCTL_TOKEN), or
/// locally one signed for a person of the demo directory with `.local/auth` (`--as`).
struct SignInOptions: ParsableArguments {
    @Option(help: "A sign-in token for someone who may read every department (operations, executive, auditor) (default: BIZCTL_TOKEN).")
    var token: String?

    @Option(name: .customLong("as"), help: "Locally: sign a token for this person of the directory (deploy/demo/people.json) with .local/auth.")
    var person: String?

    func bearer() async throws -> String {
        if let token = token ?? ProcessInfo.processInfo.environment["BIZCTL_TOKEN"], !token.isEmpty { return token }
        guard let person else { throw ValidationError("give a sign-in token: --token, BIZCTL_TOKEN, or locally --as PERSON (e.g. --as zhou.ops)") }
        let people = try DirectoryPerson.load(URL(fileURLWithPath: "deploy/demo/people.json"))
        guard let who = people.first(where: { $0.id == person }) else { throw ValidationError("\(person) is not in deploy/demo/people.json") }
        return try await LocalIssuer.prepare(URL(fileURLWithPath: ".local/auth")).token(for: who, lifetime: 600)
    }
}

/// GETs against the services' APIs with a bearer token; 404 is nil, anything else not 200 an error naming the service.
struct ServiceReader {
    let bases: [String: String]
    let bearer: String

    func get(_ service: String, _ path: String) async throws -> Any? {
        guard let base = bases[service], let url = URL(string: base + path) else { throw ValidationError("no URL for \(service)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization")
        let data: Data, response: URLResponse
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw RuntimeFailure("\(service) at \(base) cannot be reached: \(error.localizedDescription)")
        }
        let code = (response as? HTTPURLResponse)?.statusCode ?? 0
        if code == 404 { return nil }
        guard code == 200 else { throw RuntimeFailure("\(service) answered \(code) to GET \(path): \(String(decoding: data.prefix(300), as: UTF8.self))") }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Every item of a paged list (`{"items", "nextCursor"}`), following the cursor, at most `pages` pages.
    func all(_ service: String, _ path: String, pages: Int = 50) async throws -> [[String: Any]] {
        var items: [[String: Any]] = [], after: String?
        for _ in 0..<pages {
            let separator = path.contains("?") ? "&" : "?"
            let page = try await get(service, path + (after.map { "\(separator)after=\($0)" } ?? "")) as? [String: Any]
            items += page?["items"] as? [[String: Any]] ?? []
            guard let next = page?["nextCursor"] as? String else { break }
            after = next
        }
        return items
    }
}

func query(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text }
