import Foundation

/// `shipment.dispatch` on `bizops.ingress` (the warehouse system): the order's goods left.
public struct DispatchShipment: CommandContract, Equatable {
    public static let messageType = "shipment.dispatch.v1"
    public static let routingKey = "shipment.dispatch"

    public let orderRef: String
    public let carrier: String?
    public let trackingNumber: String?

    public init(orderRef: String, carrier: String? = nil, trackingNumber: String? = nil) {
        self.orderRef = orderRef; self.carrier = carrier; self.trackingNumber = trackingNumber
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        carrier = try c.decodeIfPresent(String.self, forKey: .carrier)
        trackingNumber = try c.decodeIfPresent(String.self, forKey: .trackingNumber)
        try Validate.notBlank(orderRef, "orderRef", max: 64)
    }
}

/// `shipment.deliver` on `bizops.ingress` (the driver app): the customer signed for it.
/// A delivery counts only once signed, so `signedBy` and `signedAt` are required.
public struct DeliverShipment: CommandContract, Equatable {
    public static let messageType = "shipment.deliver.v1"
    public static let routingKey = "shipment.deliver"

    public let orderRef: String
    public let signedBy: String
    /// ISO 8601 date-time of the signature.
    public let signedAt: String
    /// Reference of the signed delivery note (a scan, a photo) kept by the driver app.
    public let deliveryNote: String?

    public init(orderRef: String, signedBy: String, signedAt: String, deliveryNote: String? = nil) {
        self.orderRef = orderRef; self.signedBy = signedBy; self.signedAt = signedAt; self.deliveryNote = deliveryNote
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        signedBy = try c.decode(String.self, forKey: .signedBy)
        signedAt = try c.decode(String.self, forKey: .signedAt)
        deliveryNote = try c.decodeIfPresent(String.self, forKey: .deliveryNote)
        try Validate.notBlank(orderRef, "orderRef", max: 64)
        try Validate.notBlank(signedBy, "signedBy")
        _ = try Validate.timestamp(signedAt, "signedAt")
    }

    public var signedTime: Date { Validate.parseTimestamp(signedAt)! }
}
