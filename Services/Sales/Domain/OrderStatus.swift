/// Where an order stands, as sales tells the customer. Departments' events move it forward
/// only: a late or repeated event never moves it back, and final states stay final.
public enum OrderStatus: String, Sendable, CaseIterable {
    case placed, held, accepted, backordered, reserved, dispatched, delivered, completed, rejected, cancelled
    /// Waiting for the warehouse to give back the stock (or to say the goods already left).
    case cancelling

    /// Position on the main path; rejected and cancelled are off it.
    var rank: Int? {
        switch self {
        case .placed: 0
        case .held: 1
        case .accepted: 2
        case .backordered: 3
        case .reserved: 4
        case .dispatched: 5
        case .delivered: 6
        case .completed: 7
        case .rejected, .cancelled, .cancelling: nil
        }
    }

    public var isFinal: Bool { self == .completed || self == .rejected || self == .cancelled }

    /// Cancelling is allowed until the goods leave the warehouse.
    public var canCancel: Bool { [.placed, .held, .accepted, .backordered, .reserved].contains(self) }

    /// Once the warehouse holds stock for it, cancelling asks logistics first.
    public var cancelNeedsWarehouse: Bool { [.accepted, .backordered, .reserved].contains(self) }

    /// Whether news that the order is now `next` changes it.
    public func allows(_ next: OrderStatus) -> Bool {
        guard !isFinal, next != self else { return false }
        if self == .cancelling { return [.cancelled, .dispatched, .delivered].contains(next) }
        switch next {
        case .cancelling: return cancelNeedsWarehouse
        case .cancelled: return canCancel
        case .rejected: return self == .placed || self == .held
        case .held: return self == .placed
        default: return (next.rank ?? -1) > (rank ?? Int.max)
        }
    }

    /// Completed once delivered (signed for) and paid in full, whichever came last.
    public static func completes(status: OrderStatus, paid: Bool) -> Bool { status == .delivered && paid }
}
