import Foundation
import Metrics
import Storage

/// What a service's consumer counts, by message type: each outcome, and how long each
/// handler ran. The types are the service's own (those it handles); anything else a sender
/// names is counted as `unknown`, so a hostile `type` cannot grow the metrics without bound.
/// Every series exists from the start (at zero), so a rate over it is defined before traffic.
public final class ConsumeMetrics: Sendable {
    public static let outcomes = ["handled", "duplicate", "retried", "waiting", "refused", "dead_lettered"]
    public static let unknownType = "unknown"

    public let service: String
    private let counters: [String: Counter]
    private let handlerTimers: [String: Metrics.Timer]

    public init(service: String, types: Set<String>) {
        self.service = service
        var counters: [String: Counter] = [:]
        for type in types.union([Self.unknownType]) {
            for outcome in Self.outcomes {
                counters[Self.key(type, outcome)] = Counter(label: "bizops_messages_total",
                                                           dimensions: [("service", service), ("outcome", outcome), ("type", type)])
            }
        }
        self.counters = counters
        handlerTimers = Dictionary(uniqueKeysWithValues: types.map {
            ($0, Metrics.Timer(label: "bizops_handler_seconds", dimensions: [("service", service), ("type", $0)]))
        })
    }

    private static func key(_ type: String, _ outcome: String) -> String { "\(type)\u{1}\(outcome)" }

    /// The type a delivery is counted under.
    public func type(of delivery: Delivery) -> String {
        let type = HandlerRegistry.messageType(of: delivery)
        return handlerTimers[type] != nil ? type : Self.unknownType
    }

    /// Counts each delivery under its type and the outcome given.
    public func count(_ deliveries: [Delivery], _ outcome: String) {
        var byType: [String: Int64] = [:]
        for d in deliveries { byType[type(of: d), default: 0] += 1 }
        for (type, n) in byType { counters[Self.key(type, outcome)]?.increment(by: n) }
    }

    /// Records one handler run (inside its batch's transaction; the commit is the batch's).
    func handlerTime(_ type: String, _ took: Duration) {
        handlerTimers[type]?.recordNanoseconds(took.totalNanoseconds)
    }
}
