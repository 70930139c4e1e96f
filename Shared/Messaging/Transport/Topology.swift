/// The public names of ARCHITECTURE.md and one service's queues. An operator provisions them
/// with the broker's admin user (`bizctl provision`, which the local scripts and the tests run):
/// a service's own broker user may not declare, bind or delete anything, so it cannot build a
/// route around its permissions (an exchange bound into another, a queue that dead-letters into
/// someone else's). A service only checks at start that its queue is there.
public struct Topology: Sendable {
    public static let ingress = "bizops.ingress"
    /// The header an event carries its actor in: the person or outside system whose action caused it.
    public static let actorHeader = "x-actor"
    public static let events = "bizops.events"
    /// Where the broker itself dead-letters (a queue's `x-dead-letter-exchange`); no user publishes here.
    public static let deadLetters = "bizops.dlx"
    /// Answers to a command's `reply_to`, routing key = the reply queue's name: the sender binds its
    /// queue here with that key (its topic permission lets it bind only its own names).
    public static let replies = "bizops.replies"
    /// Each service's own retries and dead letters, routing key = the queue's name: a service may
    /// publish here only under its own id, so it reaches no other party's queue.
    public static let internalRoutes = "bizops.internal"
    /// Where the topic exchanges send what no queue is bound for, so nothing vanishes.
    public static let unrouted = "bizops.unrouted"
    /// Messages meant for one outside system (a purchase order for one supplier, a payment
    /// instruction for the bank): a headers exchange that routes on `bizops-recipient` alone, into
    /// that system's `<system>.inbox`. The routing key stays the message's own (`<service>.<entity>.<verb>`);
    /// nothing sent here reaches `bizops.events`, where other parties' queues are bound.
    public static let direct = "bizops.direct"
    /// The header naming the outside system (its broker user) a directed message is for. Not
    /// `x-…`: a headers exchange ignores such headers when it matches.
    public static let recipientHeader = "bizops-recipient"

    public struct Binding: Sendable, Equatable {
        public let exchange: String
        public let routingKey: String
        public init(_ exchange: String, _ routingKey: String) { self.exchange = exchange; self.routingKey = routingKey }
        public static func command(_ key: String) -> Binding { Binding(Topology.ingress, key) }
        public static func event(_ key: String) -> Binding { Binding(Topology.events, key) }
        /// How a reply queue receives the answers addressed to it (`reply_to` = its name).
        public static func replies(to queue: String) -> Binding { Binding(Topology.replies, queue) }
    }

    /// The service id: names its queue, its dead-letter routing key and its schema.
    public let service: String
    public let bindings: [Binding]
    /// Delay of each retry level in milliseconds: attempt n waits `retryDelays[min(n, count) - 1]`.
    public let retryDelays: [Int]
    /// Redeliveries (e.g. a consumer crashing on a message) before the broker dead-letters it.
    public let deliveryLimit: Int

    public init(service: String, bindings: [Binding], retryDelays: [Int] = [1_000, 5_000, 30_000], deliveryLimit: Int = 10) {
        self.service = service; self.bindings = bindings
        self.retryDelays = retryDelays.isEmpty ? [1_000] : retryDelays
        self.deliveryLimit = deliveryLimit
    }

    /// What sales' sweeper moves there: commands no service handles.
    public static let unroutedDead = "bizops.unrouted.dead"

    public var queue: String { service }
    public var deadQueue: String { "\(service).dead" }
    public func retryQueue(level: Int) -> String { "\(service).retry.\(level)" }

    /// The retry queue for the n-th retry (1-based).
    public func retryQueue(forAttempt attempt: Int) -> String {
        retryQueue(level: min(max(attempt, 1), retryDelays.count))
    }

    private static let quorum: [(String, HeaderValue)] = [("x-queue-type", .string("quorum"))]
    /// At-least-once dead-lettering: a message is never dropped between two queues.
    private static let safeDeadLettering: [(String, HeaderValue)] = [
        ("x-dead-letter-strategy", .string("at-least-once")), ("x-overflow", .string("reject-publish")),
    ]

    /// The exchanges every service shares (and the catch-all for unrouted messages).
    static func declareShared(on connection: AMQPConnection) throws {
        try connection.declareExchange(Self.unrouted, type: "fanout")
        try connection.declareQueue(Self.unrouted, arguments: Self.quorum + [("x-max-length", .int(100_000))])
        try connection.bindQueue(Self.unrouted, exchange: Self.unrouted, routingKey: "")
        let topic: [(String, HeaderValue)] = [("alternate-exchange", .string(Self.unrouted))]
        try connection.declareExchange(Self.ingress, type: "topic", arguments: topic)
        try connection.declareExchange(Self.events, type: "topic", arguments: topic)
        try connection.declareExchange(Self.deadLetters, type: "direct")
        try connection.declareExchange(Self.replies, type: "topic")
        try connection.declareExchange(Self.internalRoutes, type: "topic")
        // A directed message no inbox is bound for goes to bizops.unrouted too (a recipient not provisioned).
        try connection.declareExchange(Self.direct, type: "headers", arguments: topic)
        try connection.declareQueue(Self.unroutedDead, arguments: Self.quorum)
        try connection.bindQueue(Self.unroutedDead, exchange: Self.deadLetters, routingKey: Self.unrouted)
        try connection.bindQueue(Self.unroutedDead, exchange: Self.internalRoutes, routingKey: Self.unroutedDead)
    }

    /// The start-up check of a service without configure rights: its queue exists (a passive
    /// declare needs no permission), or a clear error says who must provision it.
    func verify(on connection: AMQPConnection) throws {
        do { _ = try connection.messageCount(queue) } catch let error as AMQPError where error.code == 404 {
            throw AMQPError(.connection, code: 404,
                            "queue \(queue) is not provisioned: an operator runs `bizctl provision` (deploy/local/services.sh does)")
        }
    }

    /// Whether a command's `reply_to` names a queue of its sender (`<user_id>.…`): only then is it
    /// answered, so no sender can direct answers into another party's reply queue.
    public static func replyTo(_ replyTo: String, belongsTo sender: String?) -> Bool {
        guard let sender, !sender.isEmpty else { return false }
        return replyTo.hasPrefix(sender + ".")
    }

    /// The reply queue an outside system reads its answers from: `<system>.replies`, bound to
    /// `bizops.replies` under its own name.
    public static func replyQueue(of system: String) -> String { "\(system).replies" }

    static func declareReplyQueue(of system: String, on connection: AMQPConnection) throws {
        let queue = replyQueue(of: system)
        try connection.declareQueue(queue, arguments: quorum)
        try connection.bindQueue(queue, exchange: replies, routingKey: queue)
        let inbox = inbox(of: system)
        try connection.declareQueue(inbox, arguments: quorum)
        try connection.bindQueue(inbox, exchange: direct, routingKey: "",
                                 arguments: [("x-match", .string("all")), (recipientHeader, .string(system))])
    }

    /// The queue an outside system reads what is meant for it alone: `<system>.inbox`, fed by
    /// `bizops.direct` with `bizops-recipient` = the system.
    public static func inbox(of system: String) -> String { "\(system).inbox" }

    /// Creates (or confirms, with identical arguments) everything the service uses: the admin's job.
    func declare(on connection: AMQPConnection) throws {
        try Self.declareShared(on: connection)

        try connection.declareQueue(queue, arguments: Self.quorum + Self.safeDeadLettering + [
            ("x-dead-letter-exchange", .string(Self.deadLetters)),
            ("x-dead-letter-routing-key", .string(service)),
            ("x-delivery-limit", .int(Int64(deliveryLimit))),
        ])
        for (index, delay) in retryDelays.enumerated() {
            // Expired retries go straight back to the service's queue via the default exchange
            // (the broker dead-letters them; no user publishes there).
            try connection.declareQueue(retryQueue(level: index + 1), arguments: Self.quorum + Self.safeDeadLettering + [
                ("x-message-ttl", .int(Int64(delay))),
                ("x-dead-letter-exchange", .string("")),
                ("x-dead-letter-routing-key", .string(queue)),
            ])
        }
        try connection.declareQueue(deadQueue, arguments: Self.quorum)
        try connection.bindQueue(deadQueue, exchange: Self.deadLetters, routingKey: service)
        try connection.bindQueue(deadQueue, exchange: Self.internalRoutes, routingKey: deadQueue)
        for level in retryDelays.indices {
            try connection.bindQueue(retryQueue(level: level + 1), exchange: Self.internalRoutes, routingKey: retryQueue(level: level + 1))
        }
        for binding in bindings {
            try connection.bindQueue(queue, exchange: binding.exchange, routingKey: binding.routingKey)
        }
    }
}
