import Foundation

/// `logistics.dispatch.refused`: a `shipment.dispatch` the business state did not allow (the
/// order is backordered, cancelled, unknown, or not paid for in time). Its sender was answered
/// `refused`; this tells the other departments (sales follows the order up).
public struct DispatchRefused: RoutedContract, Equatable {
    public static let messageType = "logistics.dispatch.refused.v1"
    public static let routingKey = "logistics.dispatch.refused"

    public let orderRef: String
    public let reasonCode: ReasonCode
    public let message: String
    /// The refused command's `message_id`, so its sender can match this event.
    public let commandMessageId: String

    public init(orderRef: String, reasonCode: ReasonCode, message: String, commandMessageId: String) {
        self.orderRef = orderRef; self.reasonCode = reasonCode; self.message = message; self.commandMessageId = commandMessageId
    }
}

/// `logistics.delivery.refused`: a `shipment.deliver` the business state did not allow (the
/// order is unknown or was not dispatched).
public struct DeliveryRefused: RoutedContract, Equatable {
    public static let messageType = "logistics.delivery.refused.v1"
    public static let routingKey = "logistics.delivery.refused"

    public let orderRef: String
    public let reasonCode: ReasonCode
    public let message: String
    /// The refused command's `message_id`, so its sender can match this event.
    public let commandMessageId: String

    public init(orderRef: String, reasonCode: ReasonCode, message: String, commandMessageId: String) {
        self.orderRef = orderRef; self.reasonCode = reasonCode; self.message = message; self.commandMessageId = commandMessageId
    }
}
