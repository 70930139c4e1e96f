import Foundation

/// `order.place` on `bizops.ingress`: an order from a web shop, an ERP or a salesperson.
public struct PlaceOrder: MessageContract, Equatable {
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
        try Validate.require(!orderRef.trimmingCharacters(in: .whitespaces).isEmpty && orderRef.count <= 64,
                             "orderRef", "must be 1 to 64 characters")
        try Validate.require(!customerCode.isEmpty, "customerCode", "must not be empty")
        try Validate.require(!lines.isEmpty, "lines", "must have at least one line")
        try Validate.require(Self.isDate(requestedDeliveryDate), "requestedDeliveryDate", "must be a date YYYY-MM-DD")
        if let currency { try Validate.require(Self.isCurrency(currency), "currency", "must be an ISO 4217 code like CNY") }
        try Validate.require(deliveryAddress.country.count == 2 && deliveryAddress.country.allSatisfy(\.isUppercase),
                             "deliveryAddress.country", "must be an ISO 3166 alpha-2 code like CN")
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let m = Int(parts[1]), let d = Int(parts[2]), Int(parts[0]) != nil else { return false }
        return (1...12).contains(m) && (1...31).contains(d)
    }

    static func isCurrency(_ text: String) -> Bool { text.count == 3 && text.allSatisfy { $0.isASCII && $0.isUppercase } }
}

/// `sales.order.placed`: sales accepted the order's content and priced it; credit comes next.
public struct OrderPlaced: MessageContract, Equatable {
    public static let messageType = "sales.order.placed.v1"
    public static let routingKey = "sales.order.placed"

    public struct Line: Codable, Sendable, Equatable {
        public let sku: String
        public let quantity: Int64
        public let unitPrice: Int64
        public let lineTotal: Int64
        public init(sku: String, quantity: Int64, unitPrice: Int64, lineTotal: Int64) {
            self.sku = sku; self.quantity = quantity; self.unitPrice = unitPrice; self.lineTotal = lineTotal
        }
    }

    public let orderId: UUID
    public let orderRef: String
    public let customerCode: String
    public let currency: String
    public let lines: [Line]
    /// Minor units of `currency`.
    public let total: Int64
    public let requestedDeliveryDate: String

    public init(orderId: UUID, orderRef: String, customerCode: String, currency: String, lines: [Line], total: Int64,
                requestedDeliveryDate: String) {
        self.orderId = orderId; self.orderRef = orderRef; self.customerCode = customerCode; self.currency = currency
        self.lines = lines; self.total = total; self.requestedDeliveryDate = requestedDeliveryDate
    }
}

/// `sales.order.rejected`: the order cannot be taken; `reasonCode` is for machines, `message` for people.
public struct OrderRejected: MessageContract, Equatable {
    public static let messageType = "sales.order.rejected.v1"
    public static let routingKey = "sales.order.rejected"

    public let orderRef: String
    public let customerCode: String
    public let reasonCode: String
    public let message: String

    public init(orderRef: String, customerCode: String, reasonCode: String, message: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.reasonCode = reasonCode; self.message = message
    }
}
