/// Where an order stands with risk. Every change is a transition this type allows; anything
/// else is an error the handler turns into an answer (a refusal, or "already decided").
///
///     (new) ─check─▶ held ─release─▶ approved
///                    │  └──reject──▶ rejected ─(placed again under its reference)─▶ held
///                    └ held ─check─▶ approved | rejected          (the first check decides at once)
///     held | approved | rejected ─cancel─▶ cancelled
public enum RiskOrderStatus: String, Sendable, CaseIterable, Equatable {
    /// Waiting for a person's review (also: taken in, not yet decided).
    case held
    case approved
    case rejected
    case cancelled

    public enum Event: Sendable, Equatable {
        /// The automatic credit check of a placed order.
        case checked(CreditOutcome)
        /// An authorised person releases (or rejects) a held order.
        case reviewed(release: Bool)
        case cancelled
    }

    public struct NotAllowed: Error, Equatable, Sendable {
        public let from: RiskOrderStatus
        public let event: Event
    }

    /// The status after `event`, or `NotAllowed`.
    public func after(_ event: Event) throws(NotAllowed) -> RiskOrderStatus {
        switch (self, event) {
        case (.held, .checked(let outcome)): return Self.status(of: outcome)
        case (.held, .reviewed(let release)): return release ? .approved : .rejected
        case (.held, .cancelled), (.approved, .cancelled), (.rejected, .cancelled), (.cancelled, .cancelled): return .cancelled
        default: throw NotAllowed(from: self, event: event)
        }
    }

    /// A reference whose order was rejected may be placed again: it is taken in as new.
    public var acceptsNewOrder: Bool { self == .rejected }

    /// Open orders count towards the customer's exposure.
    public var countsTowardsExposure: Bool { self == .approved || self == .held }

    public static func status(of outcome: CreditOutcome) -> RiskOrderStatus {
        switch outcome {
        case .approve: .approved
        case .hold: .held
        case .reject: .rejected
        }
    }
}
