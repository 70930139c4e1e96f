import Foundation
import Messaging
import Testing

extension EndToEnd {
    /// `bizctl status` as an operator runs it against the running system.
    @Suite struct OperatorToolTests {
        func status(_ bz: Bizops, overriding: [String: String] = [:]) async throws -> (exit: Int32?, report: [String: Any], text: String) {
            var arguments = ["status", "--json", "--vhost", TestServers.vhost]
            for service in Bizops.services {
                arguments += ["--service", "\(service.id)=\(overriding[service.id] ?? bz.url(service.exe, ""))"]
            }
            let child = try ChildProcess("bizctl", arguments, environment: [:])
            let exit = await child.waitExit(timeout: 30)
            let text = child.text
            let json = text.firstIndex(of: "{").map { String(text[$0...]) } ?? ""
            return (exit, (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:], text)
        }

        @Test func statusShowsEveryServiceAndQueueAndFailsWhenOneIsDown() async throws {
            try await Bizops.with { bz in
                var last: (exit: Int32?, report: [String: Any], text: String) = (nil, [:], "")
                let healthy = await eventually(timeout: 20, every: 1) {
                    last = (try? await status(bz)) ?? last
                    return last.exit == 0
                }
                #expect(healthy, "bizctl status: \(last.text.suffix(2000))")
                let services = last.report["services"] as? [[String: Any]] ?? []
                #expect(Set(services.compactMap { $0["id"] as? String }) == Set(Bizops.services.map(\.id)))
                for service in services {
                    #expect(service["ready"] as? Bool == true && service["live"] as? Bool == true, "\(service)")
                    let work = (service["queues"] as? [[String: Any]])?.first
                    #expect(work?["name"] as? String == service["id"] as? String && (work?["consumers"] as? Int ?? 0) >= 1, "\(service)")
                    #expect((service["queues"] as? [[String: Any]])?.count == 5, "the queue, three retry levels and the dead letters")
                }
                // One service unreachable: marked, and the exit says so.
                let down = try await status(bz, overriding: ["risk": "http://127.0.0.1:1"])
                #expect(down.exit == 1)
                #expect(down.report["healthy"] as? Bool == false)
                #expect((down.report["problems"] as? [String])?.contains { $0.hasPrefix("risk: not ready") } == true, "\(down.text.suffix(1500))")
                #expect(!down.text.contains("bizops-dev"), "no password in the output")
                // watch: the same screen, refreshed; piped, one after another.
                var arguments = ["watch", "--count", "2", "--interval", "0.5", "--vhost", TestServers.vhost]
                for service in Bizops.services { arguments += ["--service", "\(service.id)=\(bz.url(service.exe, ""))"] }
                let watch = try ChildProcess("bizctl", arguments, environment: [:])
                let watched = await watch.waitExit(timeout: 40)
                #expect(watched != nil, "watch --count 2 ends by itself")
                #expect(watch.text.components(separatedBy: "bizctl watch — ").count - 1 == 2 && watch.text.contains("sales"), "\(watch.text.suffix(1500))")
            }
        }

        func order(_ bz: Bizops, _ ref: String) async throws -> (exit: Int32?, report: [String: Any], text: String) {
            var arguments = ["order", ref, "--json", "--token", try await SignIn.issuer.token(for: SignIn.person("zhou.ops")),
                             "--database-url", TestServers.databaseURL]
            for service in Bizops.services { arguments += ["--service", "\(service.id)=\(bz.url(service.exe, ""))"] }
            let child = try ChildProcess("bizctl", arguments, environment: ["BIZCTL_AMQP_URL": ""])
            let exit = await child.waitExit(timeout: 30)
            let text = child.text
            let json = text.firstIndex(of: "{").map { String(text[$0...]) } ?? ""
            return (exit, (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:], text)
        }

        /// W3C trace context across the bus: a `traceparent` sent with `order.place` comes back, with
        /// its trace id and a span of each hop's own, on every event the order causes.
        @Test func aTraceIdSentWithAnOrderComesBackOnTheEventsItCaused() async throws {
            try await Bizops.with { bz in
                let customer = "TRC-\(bz.run)", sku = "SKU-T-\(bz.run)", ref = "TRC-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 100, stock: 10)
                let keys = ["sales.order.placed", "risk.credit.approved", "sales.order.accepted", "logistics.stock.reserved", "finance.order.cleared"]
                let observer = try await bz.queue("trace", bindings: keys.map { .event($0) })
                let traceId = "4bf92f3577b34da6a3ce929d0e0e4736", parent = "00f067aa0ba902b7"
                var message = Bizops.orderPlace(ref, customer: customer, lines: [(sku, 2)])
                message.properties.headers[TraceContext.header] = .string("00-\(traceId)-\(parent)-01")
                try await TestBus.send([message])
                let events = try await TestBus.drain(observer, expected: keys.count, timeout: 30) { $0.properties.correlationId == ref }
                #expect(Set(events.map(\.routingKey)) == Set(keys), "\(events.map(\.routingKey))")
                let traces = events.compactMap { $0.properties.headers[TraceContext.header].flatMap { TraceContext($0.description) } }
                #expect(traces.count == events.count && traces.allSatisfy { $0.traceId == traceId }, "\(traces)")
                #expect(Set(traces.map(\.spanId)).count == traces.count && !traces.contains { $0.spanId == parent }, "each hop a span of its own")
                // Exported: each event's parent is a span its publisher sent to the collector, in the one trace,
                // and sales' handling of the command is a child of the sender's span.
                var spans: [OTLPCollector.CollectedSpan] = []
                #expect(await eventually(timeout: 20) {
                    spans = bz.collector.collected.filter { $0.traceId == traceId }
                    return traces.allSatisfy { trace in spans.contains { $0.spanId == trace.spanId } }
                }, "spans of the trace: \(spans.map { "\($0.service) \($0.name)" })")
                let placing = spans.first { $0.name == "order.place.v1 process" }
                #expect(placing?.service == "sales" && placing?.parentSpanId == parent && placing?.attributes["bizops.correlation_id"] == ref)
                #expect(Set(spans.map(\.service)).isSuperset(of: ["sales", "risk", "logistics", "finance"]), "\(Set(spans.map(\.service)))")
                for event in events {
                    let publisher = String(event.routingKey.split(separator: ".")[0])
                    let span = spans.first { $0.spanId == event.properties.headers[TraceContext.header].flatMap { TraceContext($0.description) }?.spanId }
                    #expect(span?.service == publisher, "\(event.routingKey) came from a span of \(publisher)")
                }
            }
        }

        /// An HTTP command is traced too: the request's span (with the caller's `traceparent`), the
        /// work it starts as its child, and the events that work sends continuing the trace.
        @Test func anHTTPCommandsTraceContinuesOnTheEventsItCauses() async throws {
            try await Bizops.with { bz in
                let customer = "TRH-\(bz.run)", sku = "SKU-H-\(bz.run)", ref = "TRH-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 100, stock: 10)
                let observer = try await bz.queue("trace-http", bindings: [.event("sales.order.placed")])
                let caller = TraceContext.fresh()
                let placed = try await http(bz.url("sales", "/orders"), method: "POST", json: #"{"orderRef":"\#(ref)","customerCode":"\#(customer)","lines":[{"sku":"\#(sku)","quantity":1}],"deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2027-01-15"}"#,
                                            headers: [TraceContext.header: caller.traceparent], as: SignIn.person("wang.fang"))
                #expect((200..<300).contains(placed.status), "\(placed.body)")
                let events = try await TestBus.drain(observer, expected: 1, timeout: 30) { $0.properties.correlationId == ref }
                let event = try #require(events.first?.properties.headers[TraceContext.header].flatMap { TraceContext($0.description) })
                #expect(event.traceId == caller.traceId)
                var spans: [OTLPCollector.CollectedSpan] = []
                #expect(await eventually(timeout: 20) {
                    spans = bz.collector.collected.filter { $0.traceId == caller.traceId }
                    return spans.contains { $0.spanId == event.spanId }
                }, "spans: \(spans.map { "\($0.service) \($0.name) \($0.spanId) <- \($0.parentSpanId)" })")
                let request = try #require(spans.first { $0.parentSpanId == caller.spanId }, "the request's span is a child of the caller's")
                let work = try #require(spans.first { $0.spanId == event.spanId })
                #expect(request.service == "sales" && request.name == "/orders" && request.attributes["http.request.method"] == "POST",
                        "\(request.name) \(request.attributes)")
                #expect(work.parentSpanId == request.spanId && work.name == "POST /orders", "the work is a child of the request's span: \(work.name)")
            }
        }

        /// `bizctl publish --wait`: a command sent as an outside system, and its answer read off the system's reply queue.
        @Test func publishWaitsForTheAnswerOfTheCommandItSent() async throws {
            try await Bizops.with { bz in
                let ref = "PUB-\(bz.run)"
                let body = #"{"orderRef":"\#(ref)","customerCode":"NOBODY-\#(bz.run)","lines":[{"sku":"X","quantity":1}],"deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2027-01-15"}"#
                let child = try ChildProcess("bizctl", ["publish", "order.place", body, "--wait", "--timeout", "30", "--correlation-id", ref,
                                                        "--amqp-url", Bizops.url(TestServers.amqpURL, role: "webshop")], environment: [:])
                let exit = await child.waitExit(timeout: 45)
                #expect(exit == 65, "a rejected order: \(child.text)")
                #expect(child.text.contains("answer ") && child.text.contains("unknown-customer"), "\(child.text)")
                #expect(!child.text.contains("bizops-dev"), "no password in the output")
            }
        }

        /// `bizctl approvals` and `bizctl refusals` across the services, as someone of operations.
        @Test func approvalsAndRefusalsAreListedAcrossTheServices() async throws {
            try await Bizops.with { bz in
                let customer = "APR-\(bz.run)", sku = "SKU-A-\(bz.run)", ref = "APR-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 1_000, stock: 10)
                // 10 % off is beyond a salesperson's 5 %: a request for the manager (up to 15 %).
                let asked = try await http(bz.url("sales", "/orders"), method: "POST", json: #"{"orderRef":"\#(ref)","customerCode":"\#(customer)","lines":[{"sku":"\#(sku)","quantity":1,"unitPrice":900}],"deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2027-01-15"}"#,
                                           as: SignIn.person("wang.fang"))
                #expect(asked.status == 202, "\(asked.body)")
                // Lifting a hold that is not there is refused, and kept in risk's refusal log.
                let notHeld = try await http(bz.url("risk", "/customers/\(customer)/release-hold"), method: "POST", json: "{}", as: SignIn.person("risk.dir"))
                #expect(notHeld.status == 409, "\(notHeld.body)")
                func bizctl(_ verb: [String]) async throws -> (exit: Int32?, rows: [[String: Any]], text: String) {
                    var arguments = verb + ["--json", "--token", try await SignIn.issuer.token(for: SignIn.person("zhou.ops"))]
                    for service in Bizops.services { arguments += ["--service", "\(service.id)=\(bz.url(service.exe, ""))"] }
                    let child = try ChildProcess("bizctl", arguments, environment: [:])
                    let exit = await child.waitExit(timeout: 30)
                    let json = child.text.firstIndex(of: "[").map { String(child.text[$0...]) } ?? ""
                    return (exit, (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]] ?? [], child.text)
                }
                let approvals = try await bizctl(["approvals"])
                #expect(approvals.exit == 0, "\(approvals.text.suffix(800))")
                let mine = approvals.rows.first { $0["subject"] as? String == ref }
                #expect(mine?["service"] as? String == "sales" && mine?["action"] as? String == "order.discount"
                        && mine?["requestedBy"] as? String == "wang.fang" && mine?["approverRole"] as? String == "sales:manager", "\(approvals.rows)")
                let refusals = try await bizctl(["refusals", "--reason", "not-held", "--limit", "500"])
                #expect(refusals.exit == 0, "\(refusals.text.suffix(800))")
                #expect(refusals.rows.contains { $0["service"] as? String == "risk" && ($0["message"] as? String)?.contains(customer) == true
                    && $0["actor"] as? String == "risk.dir" }, "\(refusals.rows.suffix(5))")
                var unsignedArguments = ["approvals"]
                for service in Bizops.services { unsignedArguments += ["--service", "\(service.id)=\(bz.url(service.exe, ""))"] }
                let unsigned = try ChildProcess("bizctl", unsignedArguments + ["--token", "not-a-token"], environment: [:])
                _ = await unsigned.waitExit(timeout: 20)
                #expect(unsigned.text.contains("answered 401"), "without a valid token it says so: \(unsigned.text)")
            }
        }

        @Test func orderShowsACompletedOrdersTimelineAcrossTheServicesAndTheStepAStuckOneWaitsFor() async throws {
            try await Bizops.with { bz in
                let customer = "OPS-\(bz.run)", sku = "SKU-O-\(bz.run)", done = "OPS-DONE-\(bz.run)", stuck = "OPS-WAIT-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 100, stock: 50)
                try await bz.placeOrder(done, customer: customer, lines: [(sku, 3)])
                try await bz.waitStatus(done, "reserved")
                try await bz.dispatchAndWait(done)
                try await bz.deliver(done)
                try await bz.waitStatus(done, "delivered")
                _ = try await bz.until("finance", "/invoices?order=\(done)", "final invoice") { ($0 as? [Any])?.count == 1 }
                try await bz.pay(done, amount: 300)
                try await bz.waitStatus(done, "completed")
                let completed = try await order(bz, done)
                #expect(completed.exit == 0, "\(completed.text.suffix(1500))")
                #expect(completed.report["status"] as? String == "completed" && completed.report["waiting"] == nil)
                let timeline = completed.report["timeline"] as? [[String: Any]] ?? []
                #expect(Set(timeline.compactMap { $0["service"] as? String }) == ["sales", "risk", "logistics", "finance"], "\(timeline)")
                #expect(timeline.contains { ($0["what"] as? String)?.contains("final invoice") == true && ($0["what"] as? String)?.contains("paid") == true })
                #expect(timeline.contains { $0["service"] as? String == "logistics" && ($0["what"] as? String)?.hasPrefix("reserve") == true })
                // Reserved and cleared (net terms): it waits for the warehouse's dispatch, which nobody has sent.
                try await bz.placeOrder(stuck, customer: customer, lines: [(sku, 1)])
                try await bz.waitStatus(stuck, "reserved")
                try await bz.waitCleared(stuck)
                let waiting = try await order(bz, stuck)
                let step = waiting.report["waiting"] as? [String: Any]
                #expect(step?["step"] as? String == "the dispatch" && step?["message"] as? String == "shipment.dispatch", "\(waiting.text.suffix(1500))")
                #expect((step?["whereNow"] as? String)?.hasPrefix("nowhere yet") == true)
            }
        }
    }
}
