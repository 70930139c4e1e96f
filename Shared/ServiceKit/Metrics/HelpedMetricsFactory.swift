import CoreMetrics
import Prometheus

/// swift-prometheus' factory for swift-metrics, with each metric's `# HELP` line from
/// `MetricHelp`: what the kit, the services and Hummingbird record through swift-metrics is
/// described on `/metrics` without each call site naming its help text.
public struct HelpedMetricsFactory: CoreMetrics.MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let inner: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        inner = PrometheusMetricsFactory(registry: registry)
    }

    static let durationBuckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                              .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                                              .seconds(5), .seconds(10)]
    static let valueBuckets: [Double] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000]

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: MetricHelp.text(label))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: MetricHelp.text(label))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        aggregate ? registry.makeValueHistogram(name: label, labels: dimensions, buckets: Self.valueBuckets, help: MetricHelp.text(label))
                  : registry.makeGauge(name: label, labels: dimensions, help: MetricHelp.text(label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: MetricHelp.text(label))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(name: label, labels: dimensions, buckets: Self.durationBuckets, help: MetricHelp.text(label))
    }

    public func destroyCounter(_ handler: any CounterHandler) { inner.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { inner.destroyFloatingPointCounter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { inner.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { inner.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { inner.destroyTimer(handler) }
}

/// What each metric a service exports means (its `# HELP` line); docs/operations.md lists them.
public enum MetricHelp {
    public static let texts: [String: String] = [
        "bizops_messages_total": "Messages consumed, by outcome (handled, duplicate, retried, waiting, refused, dead_lettered) and message type (a type the service does not handle counts as unknown).",
        "bizops_handler_seconds": "Time one handler run took, by message type (inside its batch's transaction, before the commit; a batch run again after a refusal or a retry runs its handlers again).",
        "bizops_consume_batch_size": "Messages per consumed batch (one transaction each).",
        "bizops_consume_batch_seconds": "Time to process and settle one consumed batch.",
        "bizops_refusals_total": "Valid commands and requests refused by the business state, by reason code.",
        "bizops_outbox_published_total": "Outbox rows published to the broker and confirmed, by message type: the service's business events (orders accepted, invoices paid, complaints opened) and answers.",
        "bizops_outbox_returned_total": "Outbox rows the broker returned as unroutable.",
        "bizops_outbox_backlog": "Outbox rows not yet published.",
        "bizops_outbox_oldest_age_seconds": "Age of the oldest unpublished outbox row (0 when none).",
        "bizops_inbox_rows": "Messages remembered in the inbox for deduplication.",
        "bizops_db_transactions_total": "Database transactions committed, by kind (transaction, statement, relay).",
        "bizops_amqp_blocked": "1 while the broker blocks this connection's publishes (a resource alarm).",
        "bizops_amqp_blocked_seconds_total": "Time the broker held this connection blocked (a resource alarm), counted when the block ends.",
        "bizops_amqp_connected": "1 while this connection to the broker is open, 0 once it failed or closed.",
        "bizops_amqp_connects_total": "Connections opened to the broker under this name: the first, then one per reconnect.",
        "bizops_db_pool_size": "Database connections the service's pool may open (DB_POOL_SIZE).",
        "bizops_db_pool_in_use": "Database connections of the pool checked out now.",
        "bizops_db_pool_wait_seconds": "Time a caller waited for a free database connection of the pool (0 when one was free).",
        "bizops_db_pool_timeouts_total": "Callers that found no free database connection within DB_POOL_TIMEOUT_SECONDS and got an error.",
        "bizops_unrouted_commands_total": "Commands no service handles, dead-lettered to bizops.unrouted.dead.",
        "bizops_unrouted_events_total": "Events no queue was bound for.",
        "bizops_process_resident_memory_bytes": "Resident memory of the process (from /proc).",
        "bizops_process_cpu_seconds_total": "CPU time of the process, user and system (from /proc).",
        "bizops_process_open_fds": "Open file descriptors of the process (from /proc).",
        "bizops_process_start_time_seconds": "When the process started, Unix time.",
        "bizops_ready": "1 when the service is ready (database and broker reachable, not blocked, not draining), as /health/ready.",
        "bizops_orders": "Sales orders by status.",
        "bizops_invoices": "Finance's invoices by status (open, paid, void).",
        "bizops_invoices_overdue": "Open invoices past their due date.",
        "bizops_complaints": "Customer service's complaints by status.",
        "bizops_complaints_late": "Unresolved complaints past their deadline.",
        "bizops_credit_holds": "Customers on credit hold.",
        "bizops_orders_held_for_review": "Orders risk holds for a person's review.",
        "bizops_orders_stuck": "Sales orders in a step that has not moved for over an hour, by status (held orders wait for a person).",
        "hb_requests": "HTTP requests served, by route, method and status.",
        "hb_request_errors": "HTTP requests that ended in an error, by route and method.",
        "http_server_request_duration": "HTTP request duration, by route, method and status.",
        "http_server_active_requests": "HTTP requests in progress, by method.",
    ]

    /// The help text of a metric (names as swift-metrics labels or as exported, `.` for `_`).
    public static func text(_ label: String) -> String {
        texts[label.replacingOccurrences(of: ".", with: "_")] ?? ""
    }
}
