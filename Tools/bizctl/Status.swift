import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Messaging

/// One screen for an operator: each service's liveness and readiness (its own health
/// endpoints) and each of its queues (RabbitMQ's management API): ready and unacknowledged
/// messages, consumers, publish and deliver rates, retries and dead letters. Exits 1 when
/// something is unhealthy (a service not ready, a work queue without a consumer, a queue or
/// the management API missing), so scripts and cron can act on it.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the services and their queues; exit 1 if anything is unhealthy.",
        discussion: "Dead letters waiting are marked but are not a failure: they are work for a person. The management API counts consumers with its statistics (every 5 s): a ready service whose queue shows none is looked at again after 6 s before it counts as a problem.")

    @OptionGroup var options: StatusOptions

    @Flag(help: "Print JSON for machines.")
    var json = false

    struct QueueState: Codable {
        let name: String
        let present: Bool
        let ready: Int
        let unacknowledged: Int
        let consumers: Int
        let publishRate: Double
        let deliverRate: Double
    }

    struct ServiceState: Codable {
        let id: String
        let url: String
        let live: Bool
        let ready: Bool
        let readiness: String
        let queues: [QueueState]
        let problems: [String]
        let deadLetters: Int
    }

    struct Report: Codable {
        let healthy: Bool
        let services: [ServiceState]
        let unrouted: [QueueState]
        let problems: [String]
    }

    func run() async throws {
        var report = try await options.gather()
        // The management API counts consumers with its statistics (every 5 s by default): a ready
        // service whose queue shows none may simply have connected since. Look once more.
        if report.services.contains(where: { $0.ready && $0.problems.contains { $0.hasSuffix("has no consumer") } }) {
            try await Task.sleep(for: .seconds(6))
            report = try await options.gather()
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.render(report))
        }
        if !report.healthy { throw ExitCode(1) }
    }

}

/// Where `status` and `watch` look: the management API and each service's base URL.
struct StatusOptions: ParsableArguments {
    @Option(help: "RabbitMQ's management API, with a user that may read it (default: BIZCTL_MANAGEMENT_URL or http://bizops:bizops-dev@127.0.0.1:15672).")
    var managementURL: String?

    @Option(help: "The vhost.")
    var vhost: String = "bizops"

    @Option(name: .customLong("service"), help: "A service's base URL as id=URL (default: each service on 127.0.0.1 at its default port).")
    var services: [String] = []

    typealias Report = Status.Report
    typealias QueueState = Status.QueueState
    typealias ServiceState = Status.ServiceState

    func gather() async throws -> Report {
        let management = try ManagementAPI(managementURL ?? ProcessInfo.processInfo.environment["BIZCTL_MANAGEMENT_URL"]
                                           ?? "http://bizops:bizops-dev@127.0.0.1:15672")
        let bases = try serviceBases()
        var problems: [String] = []
        let queues: [String: [String: Any]]
        do { queues = try await management.queues(vhost: vhost) } catch {
            queues = [:]
            problems.append("the management API did not answer: \(error)")
        }
        func state(_ name: String) -> QueueState {
            guard let q = queues[name] else { return QueueState(name: name, present: false, ready: 0, unacknowledged: 0, consumers: 0, publishRate: 0, deliverRate: 0) }
            let stats = q["message_stats"] as? [String: Any] ?? [:]
            func rate(_ key: String) -> Double { ((stats["\(key)_details"] as? [String: Any])?["rate"] as? NSNumber)?.doubleValue ?? 0 }
            func int(_ key: String) -> Int { (q[key] as? NSNumber)?.intValue ?? 0 }
            return QueueState(name: name, present: true, ready: int("messages_ready"), unacknowledged: int("messages_unacknowledged"),
                              consumers: int("consumers"), publishRate: rate("publish"), deliverRate: rate("deliver_get"))
        }
        var serviceStates: [ServiceState] = []
        for spec in Provision.specs {
            let base = bases[spec.id]!
            let live = await Status.get("\(base)/health/live")
            let ready = await Status.get("\(base)/health/ready")
            let topology = Topology(service: spec.id, bindings: spec.bindings)
            let names = [topology.queue] + topology.retryDelays.indices.map { topology.retryQueue(level: $0 + 1) } + [topology.deadQueue]
            let states = names.map(state)
            var mine: [String] = []
            if live.status != 200 { mine.append("not live (\(live.status == 0 ? "no answer" : "HTTP \(live.status)"))") }
            if ready.status != 200 { mine.append("not ready (\(ready.status == 0 ? "no answer" : ready.body))") }
            if !queues.isEmpty {
                for queue in states where !queue.present { mine.append("queue \(queue.name) is missing: run bizctl provision") }
                if let work = states.first, work.present, work.consumers == 0 { mine.append("queue \(work.name) has no consumer") }
            }
            problems += mine.map { "\(spec.id): \($0)" }
            serviceStates.append(ServiceState(id: spec.id, url: base, live: live.status == 200, ready: ready.status == 200,
                                              readiness: ready.body.trimmingCharacters(in: .whitespacesAndNewlines), queues: states,
                                              problems: mine, deadLetters: states.last?.ready ?? 0))
        }
        return Report(healthy: problems.isEmpty, services: serviceStates,
                      unrouted: [state(Topology.unrouted), state(Topology.unroutedDead)], problems: problems)
    }

}

extension Status {
    static func get(_ url: String) async -> (status: Int, body: String) {
        guard let url = URL(string: url) else { return (0, "") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 3
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return (0, "") }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func render(_ report: Report) -> String {
        var lines = ["service            live  ready  queue                        ready  unacked  consumers  in/s    out/s"]
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        for service in report.services {
            for (index, queue) in service.queues.enumerated() {
                let head = index == 0
                    ? service.id.padding(toLength: 19, withPad: " ", startingAt: 0) + (service.live ? "yes " : "NO  ").padding(toLength: 6, withPad: " ", startingAt: 0)
                        + (service.ready ? "yes" : "NO").padding(toLength: 7, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: 32)
                let mark = !queue.present ? "  MISSING" : (queue.name.hasSuffix(".dead") && queue.ready > 0 ? "  dead letters waiting" : "")
                lines.append(head + queue.name.padding(toLength: 29, withPad: " ", startingAt: 0)
                             + String(queue.ready).padding(toLength: 7, withPad: " ", startingAt: 0)
                             + String(queue.unacknowledged).padding(toLength: 9, withPad: " ", startingAt: 0)
                             + String(queue.consumers).padding(toLength: 11, withPad: " ", startingAt: 0)
                             + number(queue.publishRate).padding(toLength: 8, withPad: " ", startingAt: 0) + number(queue.deliverRate) + mark)
            }
        }
        for queue in report.unrouted {
            lines.append(String(repeating: " ", count: 32) + queue.name.padding(toLength: 29, withPad: " ", startingAt: 0)
                         + String(queue.ready).padding(toLength: 7, withPad: " ", startingAt: 0) + (queue.present ? "" : "  MISSING"))
        }
        lines.append(report.healthy ? "healthy" : "UNHEALTHY:\n" + report.problems.map { "  - \($0)" }.joined(separator: "\n"))
        return lines.joined(separator: "\n")
    }
}

/// RabbitMQ's management HTTP API, with the credentials of its URL sent as basic auth (never printed).
struct ManagementAPI {
    let base: URL
    let authorization: String?

    init(_ text: String) throws {
        guard var components = URLComponents(string: text), components.host != nil else {
            throw ValidationError("the management URL is invalid (expected http://user:password@host:15672)")
        }
        if let user = components.user {
            let password = components.password ?? ""
            authorization = "Basic " + Data("\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        components.user = nil
        components.password = nil
        base = components.url!
    }

    /// Every queue of the vhost by name.
    func queues(vhost: String) async throws -> [String: [String: Any]] {
        // The vhost is one path segment, escaped once (appendingPathComponent would escape the % again).
        let escaped = vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? vhost
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        components.percentEncodedPath = (components.percentEncodedPath.hasSuffix("/") ? components.percentEncodedPath : components.percentEncodedPath + "/")
            + "api/queues/\(escaped)"
        var request = URLRequest(url: components.url!)
        request.timeoutInterval = 5
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw ValidationError("GET \(base.host ?? "")/api/queues/\(vhost) answered \(status)") }
        let list = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        return Dictionary(list.compactMap { q in (q["name"] as? String).map { ($0, q) } }, uniquingKeysWith: { a, _ in a })
    }
}
