import Contracts
import CustomerServiceDomain
import Foundation
import Messaging
import Storage

/// The call back after a delivery.
enum Revisits {
    /// Every delivery gets a call back a week later.
    static func delivered(_ event: ShipmentDelivered, _ work: UnitOfWork) throws {
        let store = CaseStore(tx: work.transaction)
        guard let customer = try store.markDelivered(event.orderRef, on: event.deliveredOn, signedBy: event.signedBy) else {
            // The acceptance has not reached customer service yet: try again later (it retries).
            throw RetryLater("customer service has not seen order \(event.orderRef) accepted yet")
        }
        let due = event.deliveredOn.adding(days: ComplaintPolicy.revisitAfterDays)
        if try store.scheduleRevisit(event.orderRef, customer: customer, due: due) {
            try work.publish(RevisitScheduled(orderRef: event.orderRef, customerCode: customer, dueOn: due))
        }
    }
}
