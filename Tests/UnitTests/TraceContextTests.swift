import Testing
@testable import Messaging

/// W3C `traceparent` parsing and the next hop's span.
@Suite struct TraceContextTests {
    @Test func aValidTraceparentIsReadAndAChildKeepsTheTraceWithANewSpan() throws {
        let trace = try #require(TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(trace.traceId == "4bf92f3577b34da6a3ce929d0e0e4736" && trace.spanId == "00f067aa0ba902b7" && trace.sampled)
        let child = trace.child()
        #expect(child.traceId == trace.traceId && child.spanId != trace.spanId && child.spanId.count == 16)
        #expect(TraceContext(child.traceparent) == child, "what it writes it reads")
        #expect(TraceContext("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00")?.sampled == false, "upper case, not sampled")
    }

    @Test func anythingElseIsNoTrace() {
        for text in ["", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                     "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                     "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01"] {
            #expect(TraceContext(text) == nil, "\(text)")
        }
        let fresh = TraceContext.fresh()
        #expect(fresh.traceId.count == 32 && TraceContext(fresh.traceparent) == fresh)
    }
}
