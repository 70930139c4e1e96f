import CustomerServiceDomain
import Testing

@Suite struct CaseStatusTests {
    @Test func everyEventFromEveryStatus() {
        typealias S = CaseStatus
        let expected: [S: [S.Event: S?]] = [
            .open: [.resolve(isReturn: false): .resolved, .resolve(isReturn: true): .returnAuthorised, .credited: nil],
            .returnAuthorised: [.resolve(isReturn: false): nil, .resolve(isReturn: true): nil, .credited: .resolved],
            .resolved: [.resolve(isReturn: false): nil, .resolve(isReturn: true): nil, .credited: nil],
        ]
        for (from, events) in expected { for (event, next) in events { #expect(from.after(event) == next, "\(from) + \(event)") } }
        #expect(S.allCases.filter(\.isClosed) == [.resolved])
    }
}
