import RiskDomain
import Testing

/// Every transition of risk's order status, allowed or not.
@Suite struct RiskOrderStatusTests {
    typealias S = RiskOrderStatus
    static let events: [S.Event] = [
        .checked(.approve), .checked(.hold(code: .creditLimitReview, message: "")), .checked(.reject(code: .creditBlocked, message: "")),
        .reviewed(release: true), .reviewed(release: false), .cancelled,
    ]

    @Test(arguments: S.allCases) func everyEventFromEveryStatus(from: S) {
        for event in Self.events {
            let expected: S? = switch (from, event) {
            case (.held, .checked(.approve)): .approved
            case (.held, .checked(.hold)): .held
            case (.held, .checked(.reject)): .rejected
            case (.held, .reviewed(release: true)): .approved
            case (.held, .reviewed(release: false)): .rejected
            case (_, .cancelled): .cancelled
            default: nil
            }
            #expect((try? from.after(event)) == expected, "\(from) + \(event)")
        }
    }

    @Test func onlyARejectedReferenceTakesANewOrderAndOnlyOpenOrdersCount() {
        #expect(S.allCases.filter(\.acceptsNewOrder) == [.rejected])
        #expect(Set(S.allCases.filter(\.countsTowardsExposure)) == [.held, .approved])
    }
}
