import Contracts
import FinanceDomain
import Testing

@Suite struct ReceivablesTests {
    let day = BusinessDate("2026-12-01")!

    @Test func termsDecideWhatIsInvoicedWhen() {
        #expect(PaymentTerms.prepaid.invoiceOnAcceptance(total: 10_000, on: day) == PlannedInvoice(kind: .prepayment, amount: 10_000, dueDate: day))
        #expect(PaymentTerms.prepaid.invoiceOnDelivery(total: 10_000, alreadyInvoiced: 10_000, deliveredOn: day) == nil)
        let deposit = PaymentTerms.deposit(percent: 30, restDays: 15)
        #expect(deposit.invoiceOnAcceptance(total: 10_001, on: day)?.amount == 3_000)   // 3000.3 rounds to 3000
        #expect(deposit.invoiceOnAcceptance(total: 5, on: day)?.amount == 2)             // 1.5 rounds half up
        #expect(deposit.invoiceOnDelivery(total: 10_001, alreadyInvoiced: 3_000, deliveredOn: day)
                == PlannedInvoice(kind: .final, amount: 7_001, dueDate: BusinessDate("2026-12-16")!))
        #expect(PaymentTerms.net(days: 30).invoiceOnAcceptance(total: 10_000, on: day) == nil)
        #expect(PaymentTerms.net(days: 30).invoiceOnDelivery(total: 10_000, alreadyInvoiced: 0, deliveredOn: day)?.dueDate
                == BusinessDate("2026-12-31")!)
    }

    @Test func termsFromStorageAreValidated() {
        #expect(PaymentTerms(kind: "deposit", depositPercent: 0, netDays: 10) == nil)
        #expect(PaymentTerms(kind: "deposit", depositPercent: 100, netDays: 10) == nil)
        #expect(PaymentTerms(kind: "net", depositPercent: 0, netDays: -1) == nil)
        #expect(PaymentTerms(kind: "barter", depositPercent: 0, netDays: 1) == nil)
        #expect(PaymentTerms(kind: "net", depositPercent: 0, netDays: 45) == .net(days: 45))
    }

    @Test func paymentsAreAllocatedInOrderAndTheRestIsCredit() {
        let open = [OpenInvoice(number: "I1", outstanding: 300), OpenInvoice(number: "I2", outstanding: 0), OpenInvoice(number: "I3", outstanding: 500)]
        let partial = PaymentAllocation.allocate(400, to: open)
        #expect(partial.allocations == [Allocation(invoiceNumber: "I1", amount: 300, outstanding: 0),
                                        Allocation(invoiceNumber: "I3", amount: 100, outstanding: 400)])
        #expect(partial.rest == 0)
        let over = PaymentAllocation.allocate(1_000, to: open)
        #expect(over.allocations.map(\.amount) == [300, 500] && over.rest == 200)
        #expect(PaymentAllocation.allocate(50, to: []).rest == 50)
    }

    @Test func ageingBuckets() {
        let due = BusinessDate("2026-12-01")!
        let cases = [("2026-11-30", "current"), ("2026-12-01", "current"), ("2026-12-02", "1-30"), ("2026-12-31", "1-30"),
                     ("2027-01-01", "31-60"), ("2027-02-28", "61-90"), ("2027-03-02", "90+")]
        for (asOf, bucket) in cases { #expect(Ageing.bucket(dueDate: due, asOf: BusinessDate(asOf)!) == bucket, "as of \(asOf)") }
    }

    @Test func journalEntriesMustBalance() {
        #expect(JournalEntry(memo: "ok", lines: [.init(account: "A", debit: 10), .init(account: "B", credit: 7), .init(account: "C", credit: 3)]) != nil)
        #expect(JournalEntry(memo: "off by one", lines: [.init(account: "A", debit: 10), .init(account: "B", credit: 9)]) == nil)
        #expect(JournalEntry(memo: "negative", lines: [.init(account: "A", debit: -10), .init(account: "B", credit: -10)]) == nil)
        #expect(JournalEntry(memo: "empty", lines: [.init(account: "A")]) == nil)
        // Zero lines are dropped, so an entry never shows an empty account line.
        #expect(JournalEntry(memo: "z", lines: [.init(account: "A", debit: 5), .init(account: "B", credit: 5), .init(account: "C")])?.lines.count == 2)
    }

    @Test func businessDatesParseOnlyRealDaysAndCount() {
        #expect(BusinessDate("2026-02-29") == nil && BusinessDate("2028-02-29") != nil && BusinessDate("2026-13-01") == nil)
        #expect(BusinessDate("2026-1-01") == nil && BusinessDate("20260101") == nil)
        #expect(BusinessDate("2026-12-31")!.adding(days: 1).description == "2027-01-01")
        #expect(BusinessDate("2026-12-01")!.days(until: BusinessDate("2026-12-20")!) == 19)
    }
}
