import Contracts

/// An order as finance follows it, and the rule that lets its goods go.
///
///     (accepted) open ─delivered─▶ delivered        open ─cancelled─▶ cancelled
public enum FinanceOrderStatus: String, Sendable, CaseIterable, Equatable {
    case open, delivered, cancelled

    public enum Event: Sendable, Hashable { case delivered, cancelled }

    /// The next status, or nil when the event changes nothing any more (late or repeated).
    public func after(_ event: Event) -> FinanceOrderStatus? {
        switch (self, event) {
        case (.open, .delivered): .delivered
        case (.open, .cancelled): .cancelled
        default: nil
        }
    }
}

/// When finance clears an order for dispatch (`finance.order.cleared`): goods never leave before
/// finance knows no advance is due, or every advance is paid.
public enum DispatchClearing {
    /// Cleared at acceptance when the terms ask for nothing before delivery.
    public static func clearsAtAcceptance(_ plan: PlannedInvoice?) -> Bool { plan.map { !$0.kind.isAdvance } ?? true }

    /// Cleared once the last open advance of an order still open is paid.
    public static func clearsAfterPayment(of kind: InvoiceKind, order: FinanceOrderStatus, openAdvances: Int) -> Bool {
        kind.isAdvance && order == .open && openAdvances == 0
    }
}
