import Contracts

/// Where an order stands in the warehouse. Every change is a transition this type allows;
/// the handlers turn the rest into answers (a refusal, or "already done").
///
///     (accepted) ─▶ reserved | backordered ─fill─▶ reserved ─dispatch─▶ dispatched ─deliver─▶ delivered
///     reserved | backordered ─cancel─▶ cancelled        dispatched | delivered: too late to cancel
public enum ShipmentStatus: String, Sendable, CaseIterable, Equatable {
    case reserved, backordered, dispatched, delivered, cancelled

    public enum Event: Sendable, Hashable {
        /// The last missing units of a backorder were reserved.
        case filled
        case dispatch
        case deliver
        case cancel
    }

    /// What an event does from here.
    public enum Outcome: Sendable, Equatable {
        /// Moves to this status.
        case moves(to: ShipmentStatus)
        /// Was done already: nothing changes (the command repeated itself).
        case alreadyDone
        /// The business state does not allow it, for this reason.
        case refused(ReasonCode)
    }

    public func on(_ event: Event) -> Outcome {
        switch (self, event) {
        case (.backordered, .filled): .moves(to: .reserved)
        case (_, .filled): .alreadyDone
        case (.reserved, .dispatch): .moves(to: .dispatched)
        case (.dispatched, .dispatch), (.delivered, .dispatch): .alreadyDone
        case (.backordered, .dispatch): .refused(.notReady)
        case (.cancelled, .dispatch): .refused(.orderCancelled)
        case (.dispatched, .deliver): .moves(to: .delivered)
        case (.delivered, .deliver): .alreadyDone
        case (_, .deliver): .refused(.notDispatched)
        case (.reserved, .cancel), (.backordered, .cancel): .moves(to: .cancelled)
        case (.cancelled, .cancel): .alreadyDone
        case (.dispatched, .cancel), (.delivered, .cancel): .refused(.tooLateToCancel)
        }
    }
}

/// Finance's part of letting goods go: none leave before finance cleared the order (no
/// advance due, or every advance paid). Nil when they may go.
public enum DispatchClearance {
    public static func refusal(cleared: Bool) -> ReasonCode? { cleared ? nil : .awaitingPayment }
}
