import Foundation
import Messaging
import Testing

/// Spans over OTLP/HTTP from a real service process (the kit probe) to a collector: the work on
/// a command is a span of the trace the command came with, the events it causes carry that
/// span as their parent, and a later command about the same order, in a trace of its own, is
/// linked to the order's first trace.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct TraceExportTests {
    func command(_ probe: Probe, seq: Int, trace: TraceContext, correlation: String) -> OutgoingMessage {
        var message = probe.command(seq: seq)
        message.properties.correlationId = correlation
        message.properties.headers[TraceContext.header] = .string(trace.traceparent)
        return message
    }

    @Test func aCommandsWorkIsExportedAsASpanOfItsTraceAndALaterCommandAboutTheOrderLinksToIt() async throws {
        let collector = OTLPCollector()
        defer { collector.stop() }
        let probe = try await Probe.make()
        let service = try await probe.serve(env: ["OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"])
        #expect(service.text.contains("exporting spans over OTLP/HTTP"))
        let order = "order-\(UUID().uuidString.prefix(8))"
        let placed = TraceContext.fresh()
        try await probe.send([command(probe, seq: 1, trace: placed, correlation: order)])

        // The handler's span: a child of the sender's span, in its trace, under the probe's name.
        let first = await collector.span(in: placed.traceId, named: "probe.command.v1 process")
        let span = try #require(first, "spans exported: \(collector.collected.map { "\($0.name) \($0.traceId)" })")
        #expect(span.parentSpanId == placed.spanId)
        #expect(span.service == probe.id)
        #expect(span.attributes["bizops.correlation_id"] == order)
        #expect(span.attributes["messaging.system"] == "rabbitmq" && span.attributes["messaging.destination.name"] == probe.id)
        #expect(span.links.isEmpty, "the order's first command links to nothing")
        #expect((Double(span.attributes["bizops.handler_seconds"] ?? "") ?? -1) >= 0, "\(span.attributes)")

        // The event it caused carries that span as its parent.
        let events = try await probe.drain(probe.observer, expected: 1)
        let event = try #require(events.first.flatMap { $0.properties.headers[TraceContext.header] }.flatMap { TraceContext($0.description) })
        #expect(event.traceId == placed.traceId && event.spanId == span.spanId, "event \(event.traceparent), span \(span.spanId)")

        // A later command about the same order, in a trace of its own, links to the order's first trace.
        let later = TraceContext.fresh()
        try await probe.send([command(probe, seq: 2, trace: later, correlation: order)])
        let second = await collector.span(in: later.traceId, named: "probe.command.v1 process")
        #expect(second != nil)
        #expect(second?.links.contains { $0.traceId == placed.traceId } == true, "links: \(second?.links.map(\.traceId) ?? [])")
        #expect(second?.parentSpanId == later.spanId)
        #expect(try await probe.count("trace_roots", "correlation_id = '\(order)' AND traceparent LIKE '%\(placed.traceId)%'") == 1,
                "the order's first trace is kept")

        // A refused command: its first run rolled back (said on its span), then the refusal recorded in a span of its own.
        let refusedTrace = TraceContext.fresh()
        var refusing = probe.command(seq: 3, action: "refuse")
        refusing.properties.headers[TraceContext.header] = .string(refusedTrace.traceparent)
        try await probe.send([refusing])
        var refusalSpans: [OTLPCollector.CollectedSpan] = []
        #expect(await eventually(timeout: 20) {
            refusalSpans = collector.collected.filter { $0.traceId == refusedTrace.traceId }
            return refusalSpans.contains { $0.name == "probe.command.v1 refused" }
        }, "\(refusalSpans.map(\.name))")
        let recorded = refusalSpans.first { $0.name == "probe.command.v1 refused" }
        #expect(recorded?.attributes["bizops.refusal.reason"] == "probe-refused" && recorded?.attributes["bizops.rolled_back"] == nil)
        let undone = refusalSpans.first { $0.name == "probe.command.v1 process" }
        #expect(undone?.attributes["bizops.rolled_back"] == "true" && undone?.attributes["bizops.refusal.reason"] == "probe-refused",
                "\(undone?.attributes ?? [:])")

        await service.stop()
        await probe.cleanUp()
    }

    @Test func withoutAnEndpointNoSpanIsMadeAndTheTraceStillTravels() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        let sent = TraceContext.fresh()
        try await probe.send([command(probe, seq: 1, trace: sent, correlation: "order-x")])
        let events = try await probe.drain(probe.observer, expected: 1)
        let event = try #require(events.first.flatMap { $0.properties.headers[TraceContext.header] }.flatMap { TraceContext($0.description) })
        #expect(event.traceId == sent.traceId && event.spanId != sent.spanId, "a hop of its own in the same trace")
        #expect(!service.text.contains("exporting spans"))
        #expect(try await probe.count("trace_roots") == 0, "no tracing work without a tracer")
        await service.stop()
        await probe.cleanUp()
    }
}
