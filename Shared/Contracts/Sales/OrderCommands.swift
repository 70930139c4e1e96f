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
        public init(sku: String, quantity: Int64, unitPrice: Int64?) { self.sku = sku; self.quantity = quantity; self.unitPrice = unitPrice }
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

    public init(orderRef: String, customerCode: String, lines: [Line], deliveryAddress: Address, requestedDeliveryDate: String,
                currency: String?, note: String?) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.lines = lines; self.deliveryAddress = deliveryAddress
        self.requestedDeliveryDate = requestedDeliveryDate; self.currency = currency; self.note = note
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        customerCode = try c.decode(String.self, forKey: .customerCode)
        lines = try c.decode([Line].self, forKey: .lines)
        deliveryAddress = try c.decode(Address.self, forKey: .deliveryAddress)
        requestedDeliveryDate = try c.decode(String.self, forKey: .requestedDeliveryDate)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        try PlaceOrder.validate(orderRef: orderRef, customerCode: customerCode, lineCount: lines.count, address: deliveryAddress,
                                requestedDeliveryDate: requestedDeliveryDate, currency: currency)
    }
}

extension PlaceOrder {
    /// What every version of `order.place` checks on decoding.
    static func validate(orderRef: String, customerCode: String, lineCount: Int, address: Address, requestedDeliveryDate: String,
                         currency: String?) throws {
        try Validate.notBlank(orderRef, "orderRef", max: 64)
        try Validate.require(!customerCode.isEmpty, "customerCode", "must not be empty")
        try Validate.require(lineCount > 0, "lines", "must have at least one line")
        try Validate.date(requestedDeliveryDate, "requestedDeliveryDate")
        if let currency { try Validate.currency(currency, "currency") }
        try Validate.require(address.country.count == 2 && address.country.allSatisfy(\.isUppercase),
                             "deliveryAddress.country", "must be an ISO 3166 alpha-2 code like CN")
    }
}

/// `order.place.v2` on `bizops.ingress` (routing key `order.place`, AMQP `type` `order.place.v2`):
/// an order priced by sales alone — under a signed contract (`contractNo`: its prices, within its
/// volume and validity), from an accepted quote (`quoteNo`: its agreed prices), or from the list.
/// A line carries no price: any other price is a person's, under authority limits (`POST /orders`).
/// `order.place.v1` (or no `type`) keeps working as it did.
public struct PlaceOrderV2: CommandContract, Equatable {
    public static let messageType = "order.place.v2"
    public static let routingKey = "order.place"

    public struct Line: Codable, Sendable, Equatable {
        public let sku: String
        public let quantity: Int64
        public init(sku: String, quantity: Int64) { self.sku = sku; self.quantity = quantity }
    }

    public let orderRef: String
    public let customerCode: String
    public let lines: [Line]
    public let deliveryAddress: PlaceOrder.Address
    /// `YYYY-MM-DD`.
    public let requestedDeliveryDate: String
    public let currency: String?
    public let note: String?
    /// The signed contract the order is under.
    public let contractNo: String?
    /// The accepted quote whose prices the order takes (a direct sale without a contract).
    public let quoteNo: String?

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        customerCode = try c.decode(String.self, forKey: .customerCode)
        lines = try c.decode([Line].self, forKey: .lines)
        deliveryAddress = try c.decode(PlaceOrder.Address.self, forKey: .deliveryAddress)
        requestedDeliveryDate = try c.decode(String.self, forKey: .requestedDeliveryDate)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        contractNo = try c.decodeIfPresent(String.self, forKey: .contractNo)
        quoteNo = try c.decodeIfPresent(String.self, forKey: .quoteNo)
        try PlaceOrder.validate(orderRef: orderRef, customerCode: customerCode, lineCount: lines.count, address: deliveryAddress,
                                requestedDeliveryDate: requestedDeliveryDate, currency: currency)
        if let contractNo { try Validate.notBlank(contractNo, "contractNo", max: 64) }
        if let quoteNo { try Validate.notBlank(quoteNo, "quoteNo", max: 64) }
        try Validate.require(contractNo == nil || quoteNo == nil, "quoteNo", "an order is under a contract or priced from a quote, not both")
    }

    /// As `order.place.v1` at the prices given (the contract's, the quote's, or none: the list).
    public func asV1(prices: [String: Int64]) -> PlaceOrder {
        PlaceOrder(orderRef: orderRef, customerCode: customerCode, lines: lines.map { .init(sku: $0.sku, quantity: $0.quantity, unitPrice: prices[$0.sku]) },
                   deliveryAddress: deliveryAddress, requestedDeliveryDate: requestedDeliveryDate, currency: currency, note: note)
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
