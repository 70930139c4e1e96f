import ServiceLifecycle
import Storage

/// Waits `seconds`, but returns at once when the service is asked to shut down gracefully or
/// its task is cancelled: a backoff never holds up a shutdown, and nothing polls to notice one.
public func pause(_ seconds: Double) async {
    try? await cancelWhenGracefulShutdown {
        try await Task.sleep(for: .milliseconds(Int(max(0, seconds) * 1000)))
    }
}

extension Backoff {
    /// Waits the next delay (see `pause`); returns the delay waited, for log lines.
    @discardableResult
    public mutating func wait() async -> Double {
        let delay = next()
        await pause(delay)
        return delay
    }
}
