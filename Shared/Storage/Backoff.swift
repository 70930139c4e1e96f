import Foundation

/// Exponential backoff with jitter, for every loop that waits before trying again (reconnects,
/// relay failures, transaction retries, start-up): each delay is drawn from the upper half of
/// the current step, so replicas that failed together do not retry in lockstep.
public struct Backoff: Sendable {
    public let initial: Double
    public let maximum: Double
    public let multiplier: Double
    private var step: Double

    public init(initial: Double = 0.2, maximum: Double = 5, multiplier: Double = 2) {
        self.initial = initial; self.maximum = max(initial, maximum); self.multiplier = multiplier; self.step = initial
    }

    /// The next delay in seconds (in `step/2 ... step`), then the step grows up to `maximum`.
    public mutating func next() -> Double {
        let delay = Double.random(in: (step / 2)...step)
        step = min(step * multiplier, maximum)
        return delay
    }

    /// After a success: start again from `initial`.
    public mutating func reset() { step = initial }

    /// The step the next delay is drawn from (for log lines).
    public var upcoming: Double { step }
}
