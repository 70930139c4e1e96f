import Foundation

/// The services as `deploy/services.txt` lists them: the one place they are written.
struct ServiceEntry: Equatable {
    let exe: String
    let id: String
    let port: Int
}

enum ServiceList {
    static let all: [ServiceEntry] = {
        let file = TestServers.repoRoot.appendingPathComponent("deploy/services.txt")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count == 3, let port = Int(fields[2]) else { return nil }
            return ServiceEntry(exe: fields[0], id: fields[1], port: port)
        }
    }()
}

/// An outside system as `deploy/outside-systems.txt` lists it: its broker user and the commands
/// it may publish.
struct OutsideSystem: Equatable {
    let user: String
    let commands: [String]

    static let all: [OutsideSystem] = {
        let file = TestServers.repoRoot.appendingPathComponent("deploy/outside-systems.txt")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count >= 2 else { return nil }
            return OutsideSystem(user: fields[0], commands: Array(fields.dropFirst()))
        }
    }()

    /// The system that sends this command (nil: none may).
    static func sender(of routingKey: String) -> OutsideSystem? { all.first { $0.commands.contains(routingKey) } }

    static func named(_ user: String) -> OutsideSystem { all.first { $0.user == user }! }
}
