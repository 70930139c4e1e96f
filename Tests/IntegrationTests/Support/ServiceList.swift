import Foundation

/// The services as `deploy/services.txt` lists them: the one place they are written.
struct ServiceEntry: Equatable {
    let exe: String
    let id: String
    let port: Int
}

enum ServiceList {
    /// The departments (kind `department`): the services the tests start.
    static let all: [ServiceEntry] = deployRows("services.txt").compactMap { fields in
        guard fields.count == 4, fields[3] == "department", let port = Int(fields[2]) else { return nil }
        return ServiceEntry(exe: fields[0], id: fields[1], port: port)
    }
}

/// The rows of a list under `deploy/` (`#` lines are comments), as their whitespace-separated fields.
func deployRows(_ name: String) -> [[String]] {
    let file = TestServers.repoRoot.appendingPathComponent("deploy/\(name)")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
        .filter { !$0.isEmpty }
}

/// An outside system as `deploy/outside-systems.txt` lists it: its broker user and the commands
/// it may publish.
struct OutsideSystem: Equatable {
    let user: String
    let commands: [String]

    static let all: [OutsideSystem] = deployRows("outside-systems.txt").compactMap { fields in
        fields.count >= 2 ? OutsideSystem(user: fields[0], commands: Array(fields.dropFirst())) : nil
    }

    /// The system that sends this command (nil: none may).
    static func sender(of routingKey: String) -> OutsideSystem? { all.first { $0.commands.contains(routingKey) } }

    static func named(_ user: String) -> OutsideSystem { all.first { $0.user == user }! }
}
