import Contracts
import FinanceDomain
import Testing

@Suite struct FinanceOrderStatusTests {
    @Test func everyEventFromEveryStatus() {
        typealias S = FinanceOrderStatus
        for from in S.allCases {
            #expect(from.after(.delivered) == (from == .open ? .delivered : nil), "\(from) delivered")
            #expect(from.after(.cancelled) == (from == .open ? .cancelled : nil), "\(from) cancelled")
        }
    }

    @Test func goodsGoOnlyWhenNoAdvanceIsDueOrEveryAdvanceIsPaid() {
        let day = BusinessDate("2026-12-01")!
        #expect(DispatchClearing.clearsAtAcceptance(nil))
        #expect(!DispatchClearing.clearsAtAcceptance(PlannedInvoice(kind: .deposit, amount: 1, dueDate: day)))
        #expect(!DispatchClearing.clearsAtAcceptance(PlannedInvoice(kind: .prepayment, amount: 1, dueDate: day)))
        #expect(DispatchClearing.clearsAfterPayment(of: .deposit, order: .open, openAdvances: 0))
        #expect(!DispatchClearing.clearsAfterPayment(of: .deposit, order: .open, openAdvances: 1))
        #expect(!DispatchClearing.clearsAfterPayment(of: .final, order: .open, openAdvances: 0), "a final invoice clears nothing")
        #expect(!DispatchClearing.clearsAfterPayment(of: .prepayment, order: .cancelled, openAdvances: 0))
        #expect(!DispatchClearing.clearsAfterPayment(of: .unknown("x"), order: .open, openAdvances: 0))
    }
}
