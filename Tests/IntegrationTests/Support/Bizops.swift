import Foundation
import ServiceKit
import Messaging
import Storage
import Testing

/// The five real service processes, each logged in as its own database role and AMQP
/// user, on free ports, with the demo master data loaded. Tests make their own customers,
/// products and stock through the APIs, so they do not depend on each other.
///
/// Inside a suite marked `.sharedSystem` every test gets a view of one system started for the
/// whole suite (its own run tag, queues and replicas); elsewhere `with` starts a fresh system,
/// as the tests that kill or restart a service need.
final class Bizops: @unchecked Sendable {
    static var services: [ServiceEntry] { ServiceList.all }
    /// The suite's running system, while a `.sharedSystem` suite runs.
    @TaskLocal static var shared: Bizops?
    /// The five services (the shared system's, for a view of it).
    private(set) var children: [String: ChildProcess] = [:]
    /// Copies this test started beside the five (stopped with the test).
    private var replicas: [String: ChildProcess] = [:]
    let ports: [String: Int]
    /// A short tag that makes this test's names unique.
    let run = String(UUID().uuidString.prefix(6)).lowercased()
    /// Set on a test's view of the shared system: the five are not the test's to stop.
    private let isView: Bool
    /// How much each service had logged when the view was made (a failure shows only the rest).
    private var logMarks: [String: Int] = [:]
    private let bus = AMQPClient(config: TestServers.amqp)
    private var queues: [String] = []
    /// Where the five export their spans (every end-to-end test runs with tracing on).
    let collector: OTLPCollector

    private init() {
        var ports: [String: Int] = [:]
        for service in Self.services { ports[service.exe] = freePort() }
        self.ports = ports
        isView = false
        collector = OTLPCollector()
    }

    private init(viewOf system: Bizops) {
        collector = system.collector
        ports = system.ports
        children = system.children
        isView = true
        logMarks = system.children.mapValues { $0.text.count }
    }

    static func url(_ base: String, role: String) -> String {
        var c = URLComponents(string: base)!
        c.user = role; c.password = "bizops-dev"
        return c.string!
    }

    /// Starts all five, on the tests' own vhost and database: a system `make run` started keeps
    /// running beside them and shares no queue with them.
    static func start() async throws -> Bizops {
        try await TestServers.requireUp()
        try await TestServers.provision()
        let system = Bizops()
        let started = try await withThrowingTaskGroup(of: (String, ChildProcess).self) { group in
            for service in services { group.addTask { (service.exe, try await system.spawn(service.exe)) } }
            return try await group.reduce(into: [String: ChildProcess]()) { $0[$1.0] = $1.1 }
        }
        system.children = started
        for service in services {
            let file = TestServers.repoRoot.appendingPathComponent("deploy/demo/\(service.id).sql")
            guard let sql = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let pool = PostgresPool(DatabaseConfig(url: url(TestServers.databaseURL, role: service.id), schema: service.id, poolSize: 1))
            try await pool.withConnection { lease in try await lease.run { try $0.exec(sql) } }
        }
        return system
    }

    /// The five reach the broker and the database over TLS when the local servers run it
    /// (deploy/local/infra.sh does, with its CA in .local/tls), so every end-to-end test crosses it.
    static var overTLS: Bool { FileManager.default.fileExists(atPath: TLSTests.ca) }
    static var serviceAMQPURL: String { overTLS ? TLSTests.amqps() : TestServers.amqpURL }
    static var serviceDatabaseURL: String { overTLS ? TLSTests.postgres() : TestServers.databaseURL }

    /// How a service is started here: its own roles (over TLS when it is on), a given port, clock-driven jobs off
    /// (the tests run them on demand, "as of" a date), and a short wait for state that is on its
    /// way (3 s instead of 30 s: a command still early then is refused at its try at about 6 s).
    func environment(_ exe: String, port: Int) -> [String: String] {
        let id = Self.services.first { $0.exe == exe }!.id
        return ["AMQP_URL": Self.url(Self.serviceAMQPURL, role: id), "DATABASE_URL": Self.url(Self.serviceDatabaseURL, role: id),
                "HTTP_PORT": String(port), "HTTP_HOST": "127.0.0.1", "LOG_LEVEL": "info", "STARTUP_TIMEOUT_SECONDS": "60",
                "JOB_COLLECTIONS_SECONDS": "0", "JOB_ESCALATION_SECONDS": "0",
                "WAIT_FOR_STATE_SECONDS": "3",
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"]
    }

    /// Starts a service and waits until it consumes and answers as ready.
    func spawn(_ exe: String) async throws -> ChildProcess {
        let child = try ChildProcess(exe, environment: environment(exe, port: ports[exe]!))
        do { try await child.waitFor("consuming") } catch { child.signal(SIGKILL); throw error }
        _ = await eventually(timeout: 20) { (try? await http(self.url(exe, "/health/ready")).status) == 200 }
        return child
    }

    /// (Re)starts one service in place (after a kill).
    func launch(_ exe: String) async throws {
        guard ownsServices("launch \(exe)") else { return }
        children[exe] = try await spawn(exe)
    }

    /// A second copy of a service on another port (competing consumer on the same queue),
    /// stopped with the test.
    func replica(_ exe: String, env extra: [String: String] = [:]) async throws -> ChildProcess {
        let child = try ChildProcess(exe, environment: environment(exe, port: freePort()).merging(extra) { $1 })
        replicas["\(exe)#\(replicas.count + 2)"] = child
        try await child.waitFor("consuming")
        return child
    }

    func kill(_ exe: String) async {
        guard ownsServices("kill \(exe)") else { return }
        children[exe]?.signal(SIGKILL)
        _ = await children[exe]?.waitExit(timeout: 10)
    }

    /// A test that stops one of the five must run on a system of its own (outside a
    /// `.sharedSystem` suite): on the shared one it would break the tests after it.
    private func ownsServices(_ what: String) -> Bool {
        if isView { Issue.record("\(what): this test stops a service, so it needs a fresh system (move it out of the shared-system suite)") }
        return !isView
    }

    /// A queue of this test's own, `test.<run>.<name>` (for answers to `reply_to`, bound to
    /// `bizops.replies` as `<sender>.test.<run>.<name>` for every sender, or to watch events); deleted when the test ends, whether it passed or not.
    func queue(_ name: String, bindings: [Topology.Binding] = []) async throws -> String {
        let queue = "test.\(run).\(name)"
        try await bus.declareDurableQueue(queue, bindings: bindings + TestBus.replyBindings(queue))
        queues.append(queue)
        return queue
    }

    /// Stops what is this test's (every service of a fresh system; a view's replicas) gracefully;
    /// each must exit 0.
    func stop() async {
        for queue in queues { try? await bus.deleteQueue(queue) }
        await bus.close()
        let stopping = isView ? replicas : children.merging(replicas) { $1 }
        for child in stopping.values { child.signal(SIGTERM) }  // all at once: they stop side by side
        for (exe, child) in stopping {
            let status = await child.waitExit(timeout: 20)
            let why = status == nil ? "still running 20 s after SIGTERM\n\(child.diagnosis())" : "status \(status!)"
            if status == nil {  // never left to compete with the next test's copy
                child.signal(SIGKILL)
                _ = await child.waitExit(timeout: 5)
            }
            #expect(status == 0, "\(exe) did not stop cleanly (\(why)): \(child.text.suffix(2000))")
        }
        if !isView { collector.stop() }
    }

    /// Runs the test body against the suite's shared system, or else a fresh one, and always
    /// stops what is the test's; on failure the logs (of this test's time) say why.
    static func with(_ body: (Bizops) async throws -> Void) async throws {
        let system: Bizops
        if let shared { system = Bizops(viewOf: shared) } else { system = try await start() }
        do {
            try await body(system)
            await system.stop()
        } catch {
            for (exe, child) in system.children.merging(system.replicas, uniquingKeysWith: { $1 }) {
                print("---- \(exe) log (tail) ----\n\(child.text.dropFirst(system.logMarks[exe] ?? 0).suffix(4000))")
            }
            await system.stop()
            throw error
        }
    }

    func url(_ exe: String, _ path: String) -> String { "http://127.0.0.1:\(ports[exe]!)\(path)" }

    // MARK: HTTP

    @discardableResult
    func call(_ exe: String, _ method: String, _ path: String, _ body: String? = nil, expect: Int? = nil,
              as person: DirectoryPerson? = SignIn.tester) async throws -> Any {
        let response = try await http(url(exe, path), method: method, json: body, as: person)
        if let expect, response.status != expect {
            throw TestSetupError("\(method) \(exe)\(path) answered \(response.status), expected \(expect): \(response.body)")
        }
        return (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) ?? response.body
    }

    /// A GET; a paged list (`{"items", "nextCursor"}`) reads as its first page's items.
    func get(_ exe: String, _ path: String) async throws -> Any { Self.unpaged(try await call(exe, "GET", path, expect: 200)) }

    static func unpaged(_ value: Any) -> Any {
        guard let page = value as? [String: Any], page.count == 2, page.keys.contains("nextCursor"), let items = page["items"] else { return value }
        return items
    }

    /// The items of a paged list's first page (`{"items": [...], "nextCursor": ...}`).
    func items(_ exe: String, _ path: String) async throws -> [[String: Any]] {
        (try await get(exe, path) as? [[String: Any]]) ?? []
    }

    /// Polls a GET until `condition` holds on its JSON; throws with the last answer when it never does.
    @discardableResult
    func until(_ exe: String, _ path: String, timeout: Double = 30, _ what: String,
               _ condition: (Any) -> Bool) async throws -> Any {
        var last: Any = "nothing"
        let held = await eventually(timeout: timeout, every: 0.2) {
            let response = try? await http(self.url(exe, path))
            guard let response, response.status == 200,
                  let value = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) else {
                last = response.map { "\($0.status) \($0.body)" } ?? "no answer"
                return false
            }
            last = Self.unpaged(value)
            return condition(last)
        }
        if !held { throw TestSetupError("\(what): GET \(exe)\(path) never matched; last answer: \(last)") }
        return last
    }

    /// The live order in sales (the last with that reference).
    func order(_ ref: String) async throws -> [String: Any] {
        ((try await get("sales", "/orders/\(ref)")) as! [[String: Any]]).last!
    }

    func waitStatus(_ ref: String, _ status: String, timeout: Double = 30) async throws {
        try await until("sales", "/orders/\(ref)", timeout: timeout, "order \(ref) \(status)") {
            (($0 as? [[String: Any]])?.last?["status"] as? String) == status
        }
    }

    // MARK: the bus

    func publish(_ key: String, _ json: String, correlationId: String? = nil, messageId: String = UUID().uuidString,
                 replyTo: String? = nil) async throws {
        try await TestBus.send([TestBus.command(key, json, messageId: messageId, correlationId: correlationId, replyTo: replyTo)])
    }

    // MARK: master data through the APIs

    /// A customer known to sales, risk and finance, with a product line of its own in stock.
    func customer(_ code: String, limit: Int64, rating: String = "A", terms: String = #"{"kind":"net","netDays":30}"#) async throws {
        try await call("sales", "PUT", "/customers/\(code)", #"{"name":"Test \#(code)","currency":"CNY"}"#, expect: 200)
        try await call("risk", "PUT", "/customers/\(code)/credit", #"{"creditLimit":\#(limit),"currency":"CNY","rating":"\#(rating)"}"#,
                       expect: 200)
        try await call("finance", "PUT", "/customers/\(code)/terms", terms, expect: 200)
    }

    /// A product priced at `price` per unit, with `stock` units received into SH-01.
    func product(_ sku: String, price: Int64, stock: Int64) async throws {
        try await call("sales", "PUT", "/products/\(sku)",
                       #"{"name":"Test \#(sku)","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":\#(price)}]}"#, expect: 200)
        if stock > 0 { try await receive(sku, stock, reference: "OPEN-\(sku)") }
    }

    func receive(_ sku: String, _ quantity: Int64, reference: String) async throws {
        try await call("logistics", "POST", "/stock/receipts",
                       #"{"warehouse":"SH-01","sku":"\#(sku)","quantity":\#(quantity),"reference":"\#(reference)"}"#, expect: 201)
    }

    func placeOrder(_ ref: String, customer: String, lines: [(String, Int64)], messageId: String = UUID().uuidString,
                    replyTo: String? = nil) async throws {
        try await TestBus.send([Self.orderPlace(ref, customer: customer, lines: lines, messageId: messageId, replyTo: replyTo)])
    }

    /// An `order.place` as a web shop sends it (correlation id = the order reference).
    static func orderPlace(_ ref: String, customer: String, lines: [(String, Int64)], messageId: String = UUID().uuidString,
                           replyTo: String? = nil) -> OutgoingMessage {
        let items = lines.map { #"{"sku":"\#($0.0)","quantity":\#($0.1)}"# }.joined(separator: ",")
        return TestBus.command("order.place", """
            {"orderRef":"\(ref)","customerCode":"\(customer)","lines":[\(items)],
             "deliveryAddress":{"line1":"1 Test Road","city":"Hangzhou","postalCode":"310000","country":"CN"},
             "requestedDeliveryDate":"2026-12-15"}
            """, messageId: messageId, correlationId: ref, replyTo: replyTo)
    }

    /// Waits until finance cleared the order for dispatch (logistics says so).
    func waitCleared(_ ref: String) async throws {
        try await until("logistics", "/orders/\(ref)", "finance cleared \(ref) for dispatch") {
            ($0 as? [String: Any])?["clearedForDispatch"] as? Bool == true
        }
    }

    /// The warehouse dispatches, as it would once finance cleared the order (pass false to try earlier).
    func dispatch(_ ref: String, whenCleared: Bool = true, replyTo: String? = nil) async throws {
        if whenCleared { try await waitCleared(ref) }
        try await publish("shipment.dispatch", #"{"orderRef":"\#(ref)","carrier":"SF Express"}"#, correlationId: ref, replyTo: replyTo)
    }

    /// The one answer on a reply queue, as its type and its body's fields.
    func answer(_ queue: String, timeout: Double = 20) async throws -> (type: String, body: [String: Any]) {
        let answer = try #require(try await TestBus.drain(queue, expected: 1, timeout: timeout).first, "no answer on \(queue)")
        return (answer.properties.type ?? "-", try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] ?? [:])
    }

    /// The service's refusal log for one correlation id (`GET /refusals`).
    func refusals(_ exe: String, correlationId: String) async throws -> [[String: Any]] {
        try await items(exe, "/refusals?correlationId=\(correlationId)")
    }

    /// Dead letters of a service's queue that belong to this correlation id.
    func deadLetters(_ service: String, correlationId: String, wait: Double = 2) async throws -> [Delivery] {
        try await TestBus.drain("\(service).dead", expected: 1, timeout: wait) { $0.properties.correlationId == correlationId }
            .filter { $0.properties.correlationId == correlationId }
    }

    /// Dispatches once cleared and waits until sales reports it dispatched.
    func dispatchAndWait(_ ref: String) async throws {
        try await dispatch(ref)
        try await waitStatus(ref, "dispatched")
    }

    func deliver(_ ref: String, at: String = "2026-12-01T09:30:00Z") async throws {
        try await publish("shipment.deliver", #"{"orderRef":"\#(ref)","signedBy":"Chen Jie","signedAt":"\#(at)"}"#, correlationId: ref)
    }

    func pay(_ ref: String, amount: Int64, bankReference: String? = nil) async throws {
        try await publish("payment.record", """
            {"amount":\(amount),"currency":"CNY","orderRef":"\(ref)","bankReference":"\(bankReference ?? "BANK-\(ref)")","valueDate":"2026-12-05"}
            """, correlationId: ref)
    }

    // MARK: reading the databases (as the admin) for consistency checks

    func scalar(_ schema: String, _ sql: String, _ params: [PGValue] = []) async throws -> Int64 {
        try await TestServers.pool(schema: schema, size: 1).query(sql, params).first!.int("n")
    }
}

/// `dict["a"]` as an Int64 (JSON numbers come back as NSNumber).
func int64(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }
