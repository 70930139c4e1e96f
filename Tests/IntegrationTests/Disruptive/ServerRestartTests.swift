import Foundation
import Messaging
import Storage
import Testing

/// The servers go away and come back while messages flow. These stop and start the real
/// PostgreSQL and RabbitMQ through deploy/local/infra.sh, so they run one at a time.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct ServerRestartTests {
    @Test func postgresRestartMidStreamRetriesEverythingAndLosesNothing() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        try await probe.send((0..<50).map { probe.command(seq: $0) })
        #expect(try await eventually { try await probe.effects() == 50 })
        try TestServers.infra("stop-postgres")
        do {
            try await probe.send((50..<100).map { probe.command(seq: $0) })
            try await Task.sleep(for: .seconds(3))
            try TestServers.infra("start-postgres")
        } catch {
            try? TestServers.infra("start-postgres")
            throw error
        }
        #expect(await eventually(timeout: 90) { (try? await probe.effects()) == 100 })
        #expect(try await probe.count("effects") == 100)
        #expect(try await probe.queueDepth("\(probe.id).dead") == 0, "nothing may be dead-lettered for a passing outage")
        let events = try await probe.drain(probe.observer, expected: 100, timeout: 60)
        #expect(Set(events.compactMap(\.properties.correlationId)).count == 100)
        #expect(service.isRunning)
        #expect(service.text.contains("retried") || service.text.contains("retrying"), "the outage should show in the logs")
        await service.stop()
        await probe.cleanUp()
    }

    @Test func brokerRestartMidStreamReconnectsAndDeliversEverything() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        try await probe.send((0..<50).map { probe.command(seq: $0) })
        #expect(try await eventually { try await probe.effects() == 50 })
        try TestServers.infra("restart-rabbitmq")
        // Published after the broker came back; the sender retries while it is away.
        try await probe.send((50..<100).map { probe.command(seq: $0) })
        #expect(await eventually(timeout: 90) { (try? await probe.effects()) == 100 })
        let events = try await probe.drain(probe.observer, expected: 100, timeout: 60)
        #expect(Set(events.compactMap(\.properties.correlationId)).count == 100)
        #expect(await eventually { (try? await probe.count("outbox", "sent_at IS NULL")) == 0 })
        #expect(service.isRunning)
        #expect(service.text.contains("broker unavailable"), "the reconnect should show in the logs")
        await service.stop()
        await probe.cleanUp()
    }
}
