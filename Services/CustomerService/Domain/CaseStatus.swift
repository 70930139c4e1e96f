/// Where a complaint case stands. A result closes it at once, except a return: it waits for
/// finance's credit note for the goods.
///
///     open ─resolve(other)─▶ resolved        open ─resolve(return)─▶ return-authorised ─credited─▶ resolved
public enum CaseStatus: String, Sendable, CaseIterable, Equatable {
    case open
    case returnAuthorised = "return-authorised"
    case resolved

    public enum Event: Sendable, Hashable {
        case resolve(isReturn: Bool)
        /// Finance's credit note for the returned goods.
        case credited
    }

    /// The next status, or nil when the case is past that step.
    public func after(_ event: Event) -> CaseStatus? {
        switch (self, event) {
        case (.open, .resolve(let isReturn)): isReturn ? .returnAuthorised : .resolved
        case (.returnAuthorised, .credited): .resolved
        default: nil
        }
    }

    public var isClosed: Bool { self == .resolved }
}
