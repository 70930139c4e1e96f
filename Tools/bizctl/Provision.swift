import ArgumentParser
import Departments
import Foundation
import Messaging
import ServiceKit

/// Creates what the services and the outside systems use on the broker, as an admin: the shared
/// exchanges, each service's queues and bindings (from its handlers, the one place they are
/// written) and each outside system's reply queue. The services' own users may not declare
/// anything, so this runs before they start (deploy/local/services.sh does); it is idempotent.
struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Declare the exchanges, queues and bindings of bizops (as the broker's admin).")

    @OptionGroup var broker: BrokerOptions

    @Option(help: "The outside systems whose reply queues to declare.")
    var systems: String = "deploy/outside-systems.txt"

    static let specs: [ServiceSpec] = Departments.all

    func run() async throws {
        let config = try broker.config()
        guard let text = try? String(contentsOfFile: systems, encoding: .utf8) else { throw ValidationError("cannot read \(systems)") }
        let names = text.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#"), let name = line.split(whereSeparator: \.isWhitespace).first else { return nil }
            return String(name)
        }
        let client = AMQPClient(config: config, name: "bizctl provision")
        do {
            try await client.declareSharedExchanges()
            for spec in Self.specs { try await client.declare(Topology(service: spec.id, bindings: spec.bindings)) }
            for name in names { try await client.declareReplyQueue(of: name) }
            await client.close()
        } catch {
            await client.close()
            print("bizctl: provisioning \(config.redacted) failed: \(error)", to: &standardError)
            throw ExitCode(error is AMQPError && (error as! AMQPError).code == 403 ? 77 : 69)
        }
        print("provisioned \(config.redacted): \(Self.specs.count) services (\(Self.specs.map(\.id).joined(separator: ", "))), "
              + "reply queues and inboxes of \(names.joined(separator: ", "))")
    }
}
