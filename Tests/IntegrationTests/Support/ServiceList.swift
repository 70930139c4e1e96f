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
