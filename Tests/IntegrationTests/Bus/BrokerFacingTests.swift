import Foundation
import Messaging
import Storage
import Testing

/// What operators meet at the broker: named connections with capabilities, a consumer the
/// broker cancels comes back by itself, and a broker alarm shows in readiness and metrics.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct BrokerFacingTests {
    static let management = "http://bizops:bizops-dev@127.0.0.1:15672/api"

    /// The client properties of every connection the broker has open.
    func connections() async throws -> [[String: Any]] {
        let answer = try await http("\(Self.management)/connections?columns=name,user,client_properties")
        return (try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]]) ?? []
    }

    /// Dead-letter queues keep a letter however often it is read (RabbitMQ 4 counts each read
    /// against a quorum queue's delivery limit): the local broker carries the definitions' policy.
    @Test func deadLetterQueuesCarryThePolicyThatKeepsTheirLettersHoweverOftenRead() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        var queue: [String: Any] = [:]
        #expect(await eventually(timeout: 20) {
            let answer = try? await http("\(Self.management)/queues/\(TestServers.vhost)/\(probe.id).dead")
            queue = (answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) } as? [String: Any]) ?? [:]
            return queue["policy"] as? String == "bizops-dead-letters-kept"  // the broker applies policies a moment after a declare
        }, "\(queue["policy"] ?? "no policy")")
        #expect((queue["effective_policy_definition"] as? [String: Any])?["delivery-limit"] as? Int == 1_000_000)
        let work = try await http("\(Self.management)/queues/\(TestServers.vhost)/\(probe.id)")
        let workQueue = (try JSONSerialization.jsonObject(with: Data(work.body.utf8)) as? [String: Any]) ?? [:]
        #expect(workQueue["policy"] is NSNull || workQueue["policy"] == nil, "the work queue keeps its own delivery limit")
        await service.stop()
        await probe.cleanUp()
    }

    @Test func connectionsAreNamedPerServiceRoleAndReplicaAndAskForNotifications() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        try await probe.send([probe.command(seq: 1)])
        #expect(try await eventually { try await probe.count("outbox", "sent_at IS NOT NULL") == 1 })
        var names: [String: [String: Any]] = [:]
        _ = try await eventually {
            names = [:]
            for connection in try await connections() {
                guard let properties = connection["client_properties"] as? [String: Any],
                      let name = properties["connection_name"] as? String else { continue }
                names[name] = properties
            }
            return names.keys.contains { $0.hasPrefix("\(probe.id) outbox publisher (") }
        }
        let consumer = try #require(names.first { $0.key.hasPrefix("\(probe.id) consumer (") }, "\(names.keys.sorted())")
        #expect(consumer.key.contains("pid \(service.pid)"), "the name says which replica: \(consumer.key)")
        let capabilities = consumer.value["capabilities"] as? [String: Any]
        #expect(capabilities?["consumer_cancel_notify"] as? Bool == true && capabilities?["connection.blocked"] as? Bool == true)
        #expect(names.keys.contains { $0.hasPrefix("\(probe.id) outbox publisher (") })
        await service.stop()
        await probe.cleanUp()
    }

    /// Deleting a service's queue cancels its consumer: the broker says so, and the service
    /// declares the queue again and goes on consuming.
    @Test func aCancelledConsumerDeclaresAgainAndResumes() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        try await probe.client.deleteQueue(probe.id)
        try await service.waitFor("cancelled the consumer")
        // Consuming again: queue, bindings and consumer declared anew (the log says so a second time).
        #expect(await eventually { service.text.components(separatedBy: ": consuming").count - 1 >= 2 }, "\(service.text.suffix(2000))")
        #expect(await eventually { (try? await probe.queueDepth(probe.id)) != nil })
        try await probe.send([probe.command(seq: 1)])
        #expect(try await eventually { try await probe.effects() == 1 })
        await service.stop()
        await probe.cleanUp()
    }

    /// A memory alarm blocks publishing: the service's readiness turns false and
    /// `bizops_amqp_blocked` says so, until the alarm clears.
    @Test func aBrokerAlarmShowsInReadinessAndMetrics() async throws {
        let probe = try await Probe.make()
        let port = String(freePort())
        let service = try await probe.serve(env: ["HTTP_PORT": port])
        let ready = "http://127.0.0.1:\(port)/health/ready"
        #expect(try await http(ready).status == 200)
        try TestServers.infra("ctl set_vm_memory_high_watermark 0.0000001")
        do {
            // An event to publish: the relay's publish is what the broker blocks.
            _ = try await probe.pool.execute("""
                INSERT INTO outbox (message_id, exchange, routing_key, message_type, app_id, body, occurred_at)
                VALUES (gen_random_uuid(), 'bizops.events', '\(probe.id).command.handled', 'probe.command.handled.v1', 'tests',
                        '{"seq":1}', now())
                """)
            #expect(try await eventually(timeout: 20) {
                let answer = try await http(ready)
                return answer.status == 503 && answer.body.contains(#""blocked":true"#)
            })
            let metrics = try await http("http://127.0.0.1:\(port)/metrics").body
            #expect(metric(metrics, "bizops_amqp_blocked", #"connection="\#(probe.id) outbox publisher""#) == 1, "\(metrics)")
        } catch {
            try? TestServers.infra("ctl set_vm_memory_high_watermark 0.4")
            throw error
        }
        try TestServers.infra("ctl set_vm_memory_high_watermark 0.4")
        #expect(try await eventually(timeout: 30) { try await http(ready).status == 200 })
        #expect(try await eventually { try await probe.count("outbox", "sent_at IS NULL") == 0 }, "the event went once the alarm cleared")
        // The block is over, and its time counted.
        let after = try await http("http://127.0.0.1:\(port)/metrics").body
        let publisher = #"connection="\#(probe.id) outbox publisher""#
        #expect(metric(after, "bizops_amqp_blocked", publisher) == 0, "\(after)")
        let line = after.split(separator: "\n").first { $0.hasPrefix("bizops_amqp_blocked_seconds_total{") && $0.contains(publisher) }
        let blockedFor: Double = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(blockedFor > 0, "blocked time counted: \(String(line ?? "none"))")
        await service.stop()
        await probe.cleanUp()
    }
}
