import ArgumentParser
import Foundation
import Messaging

/// Where bizctl reaches RabbitMQ, and as whom: the URL's user is who it acts as. Given as an
/// option, in BIZCTL_AMQP_URL, or in a file (as container platforms mount secrets), never
/// printed with its password.
struct BrokerOptions: ParsableArguments {
    @Option(help: "The broker URL, whose user bizctl acts as (default: BIZCTL_AMQP_URL).")
    var amqpURL: String?

    @Option(help: "A file holding the broker URL (default: BIZCTL_AMQP_URL_FILE).")
    var amqpURLFile: String?

    func config() throws -> AMQPConfig {
        let environment = ProcessInfo.processInfo.environment
        let url: String
        if let amqpURL {
            url = amqpURL
        } else if let path = amqpURLFile ?? environment["BIZCTL_AMQP_URL_FILE"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
            url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let fromEnvironment = environment["BIZCTL_AMQP_URL"] {
            url = fromEnvironment
        } else {
            throw ValidationError("give the broker URL: --amqp-url, --amqp-url-file, BIZCTL_AMQP_URL or BIZCTL_AMQP_URL_FILE")
        }
        do { return try AMQPConfig.parse(url) } catch { throw ValidationError("the broker URL is invalid: \(error)") }
    }
}

nonisolated(unsafe) var standardError = FileHandle.standardError
extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
