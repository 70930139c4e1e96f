import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Messaging
import ServiceKit
import Storage
import Testing

/// One department hosted in-process against the real PostgreSQL, in a scratch schema of its
/// own: decoded messages go through the kit's processor (inbox, handlers, outbox in one
/// transaction, as in the service), and its routes answer through Hummingbird's test client.
/// No broker: what the service would publish is read from its outbox.
struct ServiceHarness {
    let spec: ServiceSpec
    let schema: String
    let pool: PostgresPool
    let processor: MessageProcessor
    let environment: ServiceEnvironment

    static func make(_ spec: ServiceSpec, waitBound: Double = 0, auth: Authenticator.Config = SignIn.config) async throws -> ServiceHarness {
        try await TestServers.requireUp()
        let schema = try await TestServers.freshSchema("ip_\(spec.schema)")
        let pool = TestServers.pool(schema: schema)
        try await spec.prepareSchema(pool, logger: TestServers.logger)
        let auth = Authenticator(auth, logger: TestServers.logger)
        try await auth.load()
        return ServiceHarness(spec: spec, schema: schema, pool: pool,
                              processor: MessageProcessor(service: spec.id, registry: spec.handlers, pool: pool, waitBound: waitBound,
                                                          logger: TestServers.logger),
                              environment: ServiceEnvironment(id: spec.id, pool: pool, logger: TestServers.logger, auth: auth))
    }

    /// Hands the service one message as the broker would deliver it; returns what became of it.
    @discardableResult
    func deliver<T: RoutedContract>(_ message: T, messageId: String = UUID().uuidString.lowercased(), correlationId: String? = nil,
                                    replyTo: String? = nil) async throws -> BatchResult {
        let exchange = T.self is any CommandContract.Type ? Topology.ingress : Topology.events
        let delivery = Delivery(deliveryTag: 1, generation: 1, exchange: exchange, routingKey: T.routingKey, redelivered: false,
                                properties: MessageProperties(messageId: messageId, type: T.messageType, appId: "tests", userId: "tests",
                                                              timestamp: Date(), correlationId: correlationId, replyTo: replyTo),
                                body: try JSONEncoder.contracts.encode(message))
        return await processor.process([delivery])
    }

    /// What the service has put in its outbox, oldest first (optionally only one type).
    func outbox(_ type: String? = nil) async throws -> [(type: String, routingKey: String, body: [String: Any])] {
        try await pool.query("""
            SELECT message_type, routing_key, body FROM outbox WHERE $1::text IS NULL OR message_type = $1 ORDER BY id
            """, [type.map(PGValue.text) ?? .null]).map { row in
            (try row.string("message_type"), try row.string("routing_key"),
             (try JSONSerialization.jsonObject(with: Data(try row.string("body").utf8)) as? [String: Any]) ?? [:])
        }
    }

    /// The service's router as the process serves it (without the health routes), in-process;
    /// each request signed in as `person` (the tests' default caller; nil: no token).
    func http<Value: Sendable>(as person: DirectoryPerson? = SignIn.tester,
                               _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let token = try await person.asyncMap { try await SignIn.token($0) }
        return try await Application(router: spec.makeRouter(environment)).test(.router) { client in
            try await test(SignedClient(base: client, token: token))
        }
    }

    /// One request as a person of the demo directory (or one made up), answered with its status and JSON body.
    func call(_ person: String, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil,
              made: DirectoryPerson? = nil) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        let response = try await http(as: made ?? SignIn.person(person)) { client in
            try await client.execute(uri: uri, method: method, body: body.map { ByteBuffer(string: $0) })
        }
        return (response.status, response.json)
    }

    func cleanUp() async {
        let admin = PostgresPool(DatabaseConfig(url: TestServers.databaseURL, schema: nil, poolSize: 1))
        _ = try? await admin.execute("DROP SCHEMA \(try PGConnection.quoteIdentifier(schema)) CASCADE")
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:] }
}
