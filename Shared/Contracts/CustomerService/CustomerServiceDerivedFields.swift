import Foundation

// Fields of generated events (CustomerServiceEvents.swift) that follow from others: the rule is written once, here.
extension ComplaintEscalated {
    /// Whole hours past the committed deadline at the moment of the escalation run (0 when not yet past).
    public init(caseId: UUID, caseNumber: String, orderRef: String, customerCode: String?, routedTo: String, deadline: Date, asOf: Date) {
        self.init(caseId: caseId, caseNumber: caseNumber, orderRef: orderRef, customerCode: customerCode, routedTo: routedTo,
                  deadline: deadline, hoursLate: max(0, Int(asOf.timeIntervalSince(deadline) / 3600)))
    }
}
