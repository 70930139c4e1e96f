import Contracts

/// The message the probe handles: a sequence number and what to do with it.
struct ProbeCommand: MessageContract, Equatable {
    static let messageType = "probe.command.v1"
    let seq: Int64
    /// "reject" makes the handler reject it (a permanent failure); "transient" makes it fail
    /// in a way worth retrying, every time.
    let action: String?
}

/// The event the probe emits for every command it handled.
struct ProbeHandled: MessageContract, Equatable {
    static let messageType = "probe.command.handled.v1"
    let seq: Int64
}
