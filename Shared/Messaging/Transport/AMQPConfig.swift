import Foundation

/// Where a service reaches RabbitMQ, parsed from `AMQP_URL`
/// (`amqp://user:password@host:port/vhost`; an empty path is vhost `/`, `%2F` too).
public struct AMQPConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    /// Seconds; rabbitmq-c sends and checks heartbeats whenever the connection is used.
    public var heartbeat: Int

    public init(host: String, port: Int = 5672, user: String = "guest", password: String = "guest",
                vhost: String = "/", heartbeat: Int = 30) {
        self.host = host; self.port = port; self.user = user; self.password = password
        self.vhost = vhost; self.heartbeat = heartbeat
    }

    public struct InvalidURL: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ url: String) throws -> AMQPConfig {
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            throw InvalidURL(description: "not a URL (expected amqp://user:password@host:port/vhost)")
        }
        guard scheme == "amqp" else {
            throw InvalidURL(description: "scheme must be amqp, not \(scheme)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw InvalidURL(description: "no host (expected amqp://user:password@host:port/vhost)")
        }
        let port = components.port ?? 5672
        guard (1...65535).contains(port) else { throw InvalidURL(description: "port \(port) out of range") }
        var path = components.percentEncodedPath
        if path.hasPrefix("/") { path.removeFirst() }
        let vhost = path.isEmpty ? "/" : (path.removingPercentEncoding ?? path)
        var heartbeat = 30
        if let value = components.queryItems?.first(where: { $0.name == "heartbeat" })?.value {
            guard let seconds = Int(value), seconds >= 0 else { throw InvalidURL(description: "heartbeat must be whole seconds") }
            heartbeat = seconds
        }
        return AMQPConfig(host: host, port: port, user: components.user?.removingPercentEncoding ?? "guest",
                          password: components.password?.removingPercentEncoding ?? "guest",
                          vhost: vhost, heartbeat: heartbeat)
    }

    /// For logs: the URL without the password.
    public var redacted: String { "amqp://\(user)@\(host):\(port)/\(vhost == "/" ? "" : vhost)" }
}

public struct AMQPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case connection, channelClosed, timeout }
    public let kind: Kind
    public let code: Int
    public let message: String

    public init(_ kind: Kind, code: Int = 0, _ message: String) {
        self.kind = kind; self.code = code; self.message = message
    }

    public var description: String { code == 0 ? "AMQP: \(message)" : "AMQP \(code): \(message)" }
}
