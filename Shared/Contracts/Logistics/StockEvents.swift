import Foundation

/// `logistics.stock.reserved`: every line of the order is reserved in one warehouse.
public struct StockReserved: RoutedContract, Equatable {
    public static let messageType = "logistics.stock.reserved.v1"
    public static let routingKey = "logistics.stock.reserved"

    public let orderRef: String
    public let warehouse: String
    public let lines: [ItemQuantity]

    public init(orderRef: String, warehouse: String, lines: [ItemQuantity]) {
        self.orderRef = orderRef; self.warehouse = warehouse; self.lines = lines
    }
}

/// `logistics.stock.backordered`: part of the order waits for stock; what is there stays reserved.
public struct StockBackordered: RoutedContract, Equatable {
    public static let messageType = "logistics.stock.backordered.v1"
    public static let routingKey = "logistics.stock.backordered"

    public let orderRef: String
    public let warehouse: String
    public let missing: [ItemQuantity]

    public init(orderRef: String, warehouse: String, missing: [ItemQuantity]) {
        self.orderRef = orderRef; self.warehouse = warehouse; self.missing = missing
    }
}

/// `logistics.stock.released`: a cancelled order's reservation went back to available stock.
public struct StockReleased: RoutedContract, Equatable {
    public static let messageType = "logistics.stock.released.v1"
    public static let routingKey = "logistics.stock.released"

    public let orderRef: String
    public let warehouse: String
    public let lines: [ItemQuantity]

    public init(orderRef: String, warehouse: String, lines: [ItemQuantity]) {
        self.orderRef = orderRef; self.warehouse = warehouse; self.lines = lines
    }
}

/// `logistics.stock.received`: goods came into a warehouse (a receipt from headquarters or a supplier).
public struct StockReceived: RoutedContract, Equatable {
    public static let messageType = "logistics.stock.received.v1"
    public static let routingKey = "logistics.stock.received"

    public let warehouse: String
    public let sku: String
    public let quantity: Int64
    public let reference: String
    public let onHand: Int64
    public let available: Int64

    public init(warehouse: String, sku: String, quantity: Int64, reference: String, onHand: Int64, available: Int64) {
        self.warehouse = warehouse; self.sku = sku; self.quantity = quantity; self.reference = reference
        self.onHand = onHand; self.available = available
    }
}

/// `logistics.shipment.dispatched`: the goods left the warehouse.
public struct ShipmentDispatched: RoutedContract, Equatable {
    public static let messageType = "logistics.shipment.dispatched.v1"
    public static let routingKey = "logistics.shipment.dispatched"

    public let orderRef: String
    public let shipmentId: UUID
    public let warehouse: String
    public let carrier: String?
    public let trackingNumber: String?
    public let dispatchedAt: Date

    public init(orderRef: String, shipmentId: UUID, warehouse: String, carrier: String?, trackingNumber: String?, dispatchedAt: Date) {
        self.orderRef = orderRef; self.shipmentId = shipmentId; self.warehouse = warehouse; self.carrier = carrier
        self.trackingNumber = trackingNumber; self.dispatchedAt = dispatchedAt
    }
}

/// `logistics.shipment.delivered`: the customer signed for the goods; finance invoices now.
public struct ShipmentDelivered: RoutedContract, Equatable {
    public static let messageType = "logistics.shipment.delivered.v1"
    public static let routingKey = "logistics.shipment.delivered"

    public let orderRef: String
    public let shipmentId: UUID
    public let signedBy: String
    public let signedAt: Date
    /// The business day of the delivery (UTC): invoices date from it.
    public let deliveredOn: BusinessDate

    public init(orderRef: String, shipmentId: UUID, signedBy: String, signedAt: Date) {
        self.orderRef = orderRef; self.shipmentId = shipmentId; self.signedBy = signedBy; self.signedAt = signedAt
        self.deliveredOn = BusinessDate(signedAt)
    }
}

/// `logistics.return.received`: returned goods were received and inspected.
public struct ReturnReceived: RoutedContract, Equatable {
    public static let messageType = "logistics.return.received.v1"
    public static let routingKey = "logistics.return.received"

    public let returnId: UUID
    public let caseId: UUID
    public let orderRef: String
    public let lines: [ItemQuantity]
    /// `resellable` goes back to stock on hand; `damaged` goes to quarantine.
    public let condition: String

    public init(returnId: UUID, caseId: UUID, orderRef: String, lines: [ItemQuantity], condition: String) {
        self.returnId = returnId; self.caseId = caseId; self.orderRef = orderRef; self.lines = lines; self.condition = condition
    }
}

/// `logistics.cancellation.refused`: the goods left before the cancellation reached the warehouse.
public struct CancellationRefused: RoutedContract, Equatable {
    public static let messageType = "logistics.cancellation.refused.v1"
    public static let routingKey = "logistics.cancellation.refused"

    public let orderRef: String
    /// Where the order is in logistics: `dispatched` or `delivered`.
    public let status: String
    public let message: String

    public init(orderRef: String, status: String, message: String) {
        self.orderRef = orderRef; self.status = status; self.message = message
    }
}
