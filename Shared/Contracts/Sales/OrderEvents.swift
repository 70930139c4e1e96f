import Foundation

/// `sales.order.placed`: sales accepted the order's content and priced it; credit comes next.
public struct OrderPlaced: RoutedContract, Equatable {
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
    /// The signed contract the order is under, priced by it (absent for a direct sale).
    public let contractNo: String?

    public init(orderId: UUID, orderRef: String, customerCode: String, currency: String, lines: [Line], total: Int64,
                requestedDeliveryDate: String, contractNo: String? = nil) {
        self.orderId = orderId; self.orderRef = orderRef; self.customerCode = customerCode; self.currency = currency
        self.lines = lines; self.total = total; self.requestedDeliveryDate = requestedDeliveryDate; self.contractNo = contractNo
    }
}

/// `sales.order.rejected`: the order cannot be taken; `reasonCode` is for machines, `message` for people.
public struct OrderRejected: RoutedContract, Equatable {
    public static let messageType = "sales.order.rejected.v1"
    public static let routingKey = "sales.order.rejected"

    public let orderRef: String
    public let customerCode: String
    public let reasonCode: ReasonCode
    public let message: String

    public init(orderRef: String, customerCode: String, reasonCode: ReasonCode, message: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.reasonCode = reasonCode; self.message = message
    }
}

/// `sales.order.accepted`: credit approved; logistics reserves, finance applies the terms.
public struct OrderAccepted: RoutedContract, Equatable {
    public static let messageType = "sales.order.accepted.v1"
    public static let routingKey = "sales.order.accepted"

    public let orderId: UUID
    public let orderRef: String
    public let customerCode: String
    public let currency: String
    public let lines: [OrderPlaced.Line]
    public let total: Int64
    public let deliveryAddress: PlaceOrder.Address
    public let requestedDeliveryDate: String
    /// Who released a credit hold, when it was held first.
    public let releasedBy: String?
    /// The signed contract the order is under: finance bills it on the contract's payment terms.
    public let contractNo: String?

    public init(orderId: UUID, orderRef: String, customerCode: String, currency: String, lines: [OrderPlaced.Line],
                total: Int64, deliveryAddress: PlaceOrder.Address, requestedDeliveryDate: String, releasedBy: String?,
                contractNo: String? = nil) {
        self.orderId = orderId; self.orderRef = orderRef; self.customerCode = customerCode; self.currency = currency
        self.lines = lines; self.total = total; self.deliveryAddress = deliveryAddress
        self.requestedDeliveryDate = requestedDeliveryDate; self.releasedBy = releasedBy; self.contractNo = contractNo
    }
}

/// `sales.order.held`: risk holds the order for review; an authorised release lets it go on.
public struct OrderHeld: RoutedContract, Equatable {
    public static let messageType = "sales.order.held.v1"
    public static let routingKey = "sales.order.held"

    public let orderRef: String
    public let customerCode: String
    public let reasonCode: ReasonCode
    public let message: String

    public init(orderRef: String, customerCode: String, reasonCode: ReasonCode, message: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.reasonCode = reasonCode; self.message = message
    }
}

/// `sales.order.backordered`: not all of it is in stock; it continues when stock arrives.
public struct OrderBackordered: RoutedContract, Equatable {
    public static let messageType = "sales.order.backordered.v1"
    public static let routingKey = "sales.order.backordered"

    public let orderRef: String
    public let customerCode: String
    /// What is still missing, per SKU.
    public let missing: [ItemQuantity]

    public init(orderRef: String, customerCode: String, missing: [ItemQuantity]) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.missing = missing
    }
}

/// `sales.order.completed`: delivered (signed for) and paid in full.
public struct OrderCompleted: RoutedContract, Equatable {
    public static let messageType = "sales.order.completed.v1"
    public static let routingKey = "sales.order.completed"

    public let orderRef: String
    public let customerCode: String
    public let total: Int64
    public let currency: String

    public init(orderRef: String, customerCode: String, total: Int64, currency: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.total = total; self.currency = currency
    }
}

/// `sales.order.cancelled`: logistics releases the stock, risk the exposure, finance voids what is unpaid.
public struct OrderCancelled: RoutedContract, Equatable {
    public static let messageType = "sales.order.cancelled.v1"
    public static let routingKey = "sales.order.cancelled"

    public let orderRef: String
    public let customerCode: String
    public let reason: String

    public init(orderRef: String, customerCode: String, reason: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.reason = reason
    }
}

/// `sales.order.cancel_refused`: the answer to an `order.cancel` that came too late or for an unknown order.
public struct OrderCancelRefused: RoutedContract, Equatable {
    public static let messageType = "sales.order.cancel_refused.v1"
    public static let routingKey = "sales.order.cancel_refused"

    public let orderRef: String
    public let reasonCode: ReasonCode
    public let message: String

    public init(orderRef: String, reasonCode: ReasonCode, message: String) {
        self.orderRef = orderRef; self.reasonCode = reasonCode; self.message = message
    }
}

/// `sales.order.cancel_requested`: the customer wants to cancel an order the warehouse already
/// holds stock for. Logistics answers with `logistics.stock.released` (then sales cancels it)
/// or `logistics.cancellation.refused` (it was dispatched first).
public struct OrderCancelRequested: RoutedContract, Equatable {
    public static let messageType = "sales.order.cancel_requested.v1"
    public static let routingKey = "sales.order.cancel_requested"

    public let orderRef: String
    public let customerCode: String
    public let reason: String

    public init(orderRef: String, customerCode: String, reason: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.reason = reason
    }
}
