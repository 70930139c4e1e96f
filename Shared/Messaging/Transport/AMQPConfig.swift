import Foundation

/// Where a service reaches RabbitMQ, parsed from `AMQP_URL`
/// (`amqp://user:password@host:port/vhost`; an empty path is vhost `/`, `%2F` too), or over TLS
/// `amqps://…:5671/vhost?cacertfile=/ca.pem[&certfile=/client.pem&keyfile=/client.key]` (the
/// query names of RabbitMQ's URI spec).
public struct AMQPConfig: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    /// Seconds; rabbitmq-c sends and checks heartbeats whenever the connection is used.
    public var heartbeat: Int
    /// Set for `amqps://`: the broker's certificate is always verified, hostname included.
    public var tls: TLS?

    public struct TLS: Sendable, Equatable {
        /// The CA (PEM) the broker's certificate must chain to.
        public var caFile: String
        /// A client certificate and its key (PEM), for brokers that ask for one.
        public var certFile: String?
        public var keyFile: String?
        public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile; self.certFile = certFile; self.keyFile = keyFile
        }
    }

    public init(host: String, port: Int = 5672, user: String = "guest", password: String = "guest",
                vhost: String = "/", heartbeat: Int = 30, tls: TLS? = nil) {
        self.host = host; self.port = port; self.user = user; self.password = password
        self.vhost = vhost; self.heartbeat = heartbeat; self.tls = tls
    }

    public struct InvalidURL: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ url: String) throws -> AMQPConfig {
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            throw InvalidURL(description: "not a URL (expected amqp://user:password@host:port/vhost)")
        }
        guard scheme == "amqp" || scheme == "amqps" else {
            throw InvalidURL(description: "scheme must be amqp or amqps, not \(scheme)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw InvalidURL(description: "no host (expected amqp://user:password@host:port/vhost)")
        }
        let port = components.port ?? (scheme == "amqps" ? 5671 : 5672)
        guard (1...65535).contains(port) else { throw InvalidURL(description: "port \(port) out of range") }
        var path = components.percentEncodedPath
        if path.hasPrefix("/") { path.removeFirst() }
        let vhost = path.isEmpty ? "/" : (path.removingPercentEncoding ?? path)
        var heartbeat = 30
        if let value = components.queryItems?.first(where: { $0.name == "heartbeat" })?.value {
            guard let seconds = Int(value), seconds >= 0 else { throw InvalidURL(description: "heartbeat must be whole seconds") }
            heartbeat = seconds
        }
        func query(_ name: String) -> String? {
            components.queryItems?.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0 }
        }
        var tls: TLS?
        if scheme == "amqps" {
            guard let ca = query("cacertfile") else {
                throw InvalidURL(description: "amqps needs ?cacertfile=/path/to/ca.pem (the CA the broker's certificate must chain to)")
            }
            if let verify = query("verify"), verify != "verify_peer" {
                throw InvalidURL(description: "verify=\(verify) is not supported: the broker's certificate is always verified")
            }
            let cert = query("certfile"), key = query("keyfile")
            guard (cert == nil) == (key == nil) else { throw InvalidURL(description: "certfile and keyfile go together") }
            tls = TLS(caFile: ca, certFile: cert, keyFile: key)
        } else if ["cacertfile", "certfile", "keyfile"].contains(where: { query($0) != nil }) {
            throw InvalidURL(description: "cacertfile, certfile and keyfile need amqps://")
        }
        return AMQPConfig(host: host, port: port, user: components.user?.removingPercentEncoding ?? "guest",
                          password: components.password?.removingPercentEncoding ?? "guest",
                          vhost: vhost, heartbeat: heartbeat, tls: tls)
    }

    /// For logs: the URL without the password.
    public var redacted: String { "\(tls == nil ? "amqp" : "amqps")://\(user)@\(host):\(port)/\(vhost == "/" ? "" : vhost)" }
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
