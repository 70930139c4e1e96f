import Contracts
import LogisticsDomain
import Testing

/// Every event from every status of the warehouse's order.
@Suite struct ShipmentStatusTests {
    typealias S = ShipmentStatus

    @Test(arguments: S.allCases) func everyEventFromEveryStatus(from: S) {
        let expected: [S.Event: S.Outcome] = switch from {
        case .reserved: [.filled: .alreadyDone, .dispatch: .moves(to: .dispatched), .deliver: .refused(.notDispatched), .cancel: .moves(to: .cancelled)]
        case .backordered: [.filled: .moves(to: .reserved), .dispatch: .refused(.notReady), .deliver: .refused(.notDispatched), .cancel: .moves(to: .cancelled)]
        case .dispatched: [.filled: .alreadyDone, .dispatch: .alreadyDone, .deliver: .moves(to: .delivered), .cancel: .refused(.tooLateToCancel)]
        case .delivered: [.filled: .alreadyDone, .dispatch: .alreadyDone, .deliver: .alreadyDone, .cancel: .refused(.tooLateToCancel)]
        case .cancelled: [.filled: .alreadyDone, .dispatch: .refused(.orderCancelled), .deliver: .refused(.notDispatched), .cancel: .alreadyDone]
        }
        for (event, outcome) in expected { #expect(from.on(event) == outcome, "\(from) + \(event)") }
    }

    @Test func goodsLeaveOnlyOnceFinanceCleared() {
        #expect(DispatchClearance.refusal(cleared: true) == nil)
        #expect(DispatchClearance.refusal(cleared: false) == .awaitingPayment)
    }
}
