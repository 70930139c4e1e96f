import Foundation

// Fields of generated events (LogisticsEvents.swift) that follow from others: the rule is written once, here.
extension ShipmentDelivered {
    /// The business day of the delivery (UTC) is the day it was signed for: invoices date from it.
    public init(orderRef: String, shipmentId: UUID, signedBy: String, signedAt: Date) {
        self.init(orderRef: orderRef, shipmentId: shipmentId, signedBy: signedBy, signedAt: signedAt, deliveredOn: BusinessDate(signedAt))
    }
}
