import Foundation

/// `order.place` on `bizops.ingress`: an order from a web shop, an ERP or a salesperson.
public struct PlaceOrder: CommandContract, Equatable {
    public static let messageType = "order.place.v1"
    public static let routingKey = "order.place"

    public struct Line: Codable, Sendable, Equatable {
        public let sku: String
        public let quantity: Int64
        /// Only honoured where the customer's contract allows price overrides.
        public let unitPrice: Int64?
    }

    public struct Address: Codable, Sendable, Equatable {
        public let line1: String
        public let city: String
        public let postalCode: String
        /// ISO 3166-1 alpha-2.
        public let country: String
    }

    public let orderRef: String
    public let customerCode: String
    public let lines: [Line]
    public let deliveryAddress: Address
    /// `YYYY-MM-DD`.
    public let requestedDeliveryDate: String
    public let currency: String?
    public let note: String?

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        customerCode = try c.decode(String.self, forKey: .customerCode)
        lines = try c.decode([Line].self, forKey: .lines)
        deliveryAddress = try c.decode(Address.self, forKey: .deliveryAddress)
        requestedDeliveryDate = try c.decode(String.self, forKey: .requestedDeliveryDate)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        try Validate.notBlank(orderRef, "orderRef", max: 64)
        try Validate.require(!customerCode.isEmpty, "customerCode", "must not be empty")
        try Validate.require(!lines.isEmpty, "lines", "must have at least one line")
        try Validate.date(requestedDeliveryDate, "requestedDeliveryDate")
        if let currency { try Validate.currency(currency, "currency") }
        try Validate.require(deliveryAddress.country.count == 2 && deliveryAddress.country.allSatisfy(\.isUppercase),
                             "deliveryAddress.country", "must be an ISO 3166 alpha-2 code like CN")
    }
}

/// `order.cancel` on `bizops.ingress`: allowed until the goods are dispatched.
public struct CancelOrder: CommandContract, Equatable {
    public static let messageType = "order.cancel.v1"
    public static let routingKey = "order.cancel"

    public let orderRef: String
    public let reason: String?

    public init(orderRef: String, reason: String? = nil) { self.orderRef = orderRef; self.reason = reason }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        try Validate.notBlank(orderRef, "orderRef", max: 64)
    }
}
