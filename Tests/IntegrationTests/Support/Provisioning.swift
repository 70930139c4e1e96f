import Departments
import Messaging
import ServiceKit

extension TestServers {
    /// What `bizctl provision` does, as the admin: the services' own broker users may not
    /// declare anything, so their queues, bindings and the outside systems' reply queues are
    /// made before any of them starts.
    static func provision() async throws {
        let client = AMQPClient(config: amqp, name: "tests provision")
        defer { Task { await client.close() } }
        try await client.declareSharedExchanges()
        for spec in Departments.all {
            try await client.declare(Topology(service: spec.id, bindings: spec.bindings))
        }
        for system in OutsideSystem.all { try await client.declareReplyQueue(of: system.user) }
    }
}
