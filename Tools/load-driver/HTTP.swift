import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The services' HTTP APIs as an integrator calls them: JSON, a person's bearer token, and
/// another replica (or the same one again) when a process is down or restarting.
struct HTTP: Sendable {
    let tokens: [String: String]   // person id → token

    static let session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 10
        config.httpMaximumConnectionsPerHost = 16
        return URLSession(configuration: config)
    }()

    static let debug = ProcessInfo.processInfo.environment["LOAD_DRIVER_DEBUG"] != nil

    static func ready(port: Int) async -> Bool {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/health/ready")!)
        request.timeoutInterval = 2
        guard let (_, response) = try? await session.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// Plain text from a path without a token (/metrics).
    static func text(port: Int, path: String) async throws -> String {
        let (data, response) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw DriverError("GET :\(port)\(path) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends a request, trying the ports in turn (and again, for up to `patience` seconds) while
    /// they cannot be reached or answer 5xx. Any other non-2xx answer is an error at once.
    func call(_ method: String, ports: [Int], _ path: String, body: [String: Any]? = nil, as person: String,
              patience: Double = 90) async throws -> Any {
        guard let token = tokens[person] else { throw DriverError("no token for \(person)") }
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let deadline = ContinuousClock.now + .seconds(patience)
        var attempt = 0
        var last = "no answer"
        while ContinuousClock.now < deadline {
            let port = ports[attempt % ports.count]
            attempt += 1
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let payload { request.httpBody = payload; request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
            do {
                if Self.debug { FileHandle.standardError.write(Data("\(method) :\(port)\(path)\n".utf8)) }
                let (data, response) = try await Self.session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                // The driver's people act within their authority: a request parked for approval is a broken data set.
                if status == 202 { throw DriverError("\(method) \(path) as \(person) waits for an approval: \(String(decoding: data.prefix(300), as: UTF8.self))") }
                if (200..<300).contains(status) {
                    return data.isEmpty ? [String: Any]() : try JSONSerialization.jsonObject(with: data)
                }
                last = "\(status) \(String(decoding: data.prefix(300), as: UTF8.self))"
                if status < 500 { throw DriverError("\(method) \(path) as \(person): \(last)") }
            } catch let error as DriverError {
                throw error
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(attempt < ports.count ? 0 : 250))
        }
        throw DriverError("\(method) \(path) as \(person): no answer within \(Int(patience)) s (\(last))")
    }

    /// Every item of a paged list (`items`, `nextCursor` → `after`).
    func all(ports: [Int], _ path: String, as person: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var after: String?
        repeat {
            let sep = path.contains("?") ? "&" : "?"
            let page = try await call("GET", ports: ports, path + (after.map { "\(sep)after=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""), as: person)
            guard let object = page as? [String: Any], let list = object["items"] as? [[String: Any]] else {
                throw DriverError("GET \(path): not a page of items")
            }
            items += list
            after = object["nextCursor"] as? String
            if after == nil, let n = object["nextCursor"] as? Int { after = String(n) }
        } while after != nil
        return items
    }
}
