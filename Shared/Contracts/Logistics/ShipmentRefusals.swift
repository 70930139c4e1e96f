import Foundation

/// Which shipment command a refusal event is about: names its routing key.
public protocol ShipmentRefusalKind: Sendable {
    static var routingKey: String { get }
}

/// The warehouse refused a shipment command the business state does not allow (the order is
/// backordered, cancelled, unknown, or not paid for in time). The sender was answered `refused`
/// on its `reply_to`; this tells the other departments (sales follows the order up).
public struct ShipmentCommandRefused<Kind: ShipmentRefusalKind>: RoutedContract, Equatable {
    public static var messageType: String { "\(Kind.routingKey).v1" }
    public static var routingKey: String { Kind.routingKey }

    public let orderRef: String
    public let reasonCode: String
    public let message: String
    /// The refused command's message id, so its sender can match this event.
    public let commandMessageId: String

    public init(orderRef: String, reasonCode: String, message: String, commandMessageId: String) {
        self.orderRef = orderRef; self.reasonCode = reasonCode; self.message = message; self.commandMessageId = commandMessageId
    }
}

public enum DispatchRefusal: ShipmentRefusalKind { public static var routingKey: String { "logistics.dispatch.refused" } }
public enum DeliveryRefusal: ShipmentRefusalKind { public static var routingKey: String { "logistics.delivery.refused" } }

/// `logistics.dispatch.refused`: a `shipment.dispatch` was refused.
public typealias DispatchRefused = ShipmentCommandRefused<DispatchRefusal>
/// `logistics.delivery.refused`: a `shipment.deliver` was refused.
public typealias DeliveryRefused = ShipmentCommandRefused<DeliveryRefusal>
