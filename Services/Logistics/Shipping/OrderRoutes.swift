import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// An order's shipment as the warehouse sees it: read it, dispatch it, deliver it.
struct OrderRoutes: Sendable {
    let env: ServiceEnvironment

    struct Dispatch: Decodable, Sendable { let carrier: String?; let trackingNumber: String? }
    /// The same rules as the driver app's `shipment.deliver`: signed, with a real time.
    struct Delivery: Decodable, Sendable {
        let signedBy: String, signedAt: String, deliveryNote: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            signedBy = try c.decode(String.self, forKey: .signedBy)
            signedAt = try c.decode(String.self, forKey: .signedAt)
            deliveryNote = try c.decodeIfPresent(String.self, forKey: .deliveryNote)
            try Validate.notBlank(signedBy, "signedBy")
            _ = try Validate.timestamp(signedAt, "signedAt")
        }
        enum CodingKeys: CodingKey { case signedBy, signedAt, deliveryNote }
    }

    /// A command that repeated what was done: nothing changed.
    struct Unchanged: ResponseEncodable, Sendable { let orderRef: String; let note: String }

    func add(to router: Routes) {
        let group = router.group("/orders")
        group.get(":ref", allow: .readers) { _, context -> WarehouseOrderView in
            let ref = try context.parameters.require("ref")
            guard let order = try await env.read({ try WarehouseReads(tx: $0).order(ref) }) else {
                throw APIError.notFound("logistics has no order \(ref)")
            }
            return order
        }
        group.post(":ref/dispatch", allow: .staff) { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Dispatch.self, context: context)
            let event = try await env.perform("POST /orders/{ref}/dispatch", correlationId: ref) { work in
                try Shipping.dispatch(DispatchShipment(orderRef: ref, carrier: body.carrier, trackingNumber: body.trackingNumber), work)
            }
            guard let event else { return try Unchanged(orderRef: ref, note: "dispatched already; nothing changed").response(from: request, context: context) }
            return try event.response(from: request, context: context)
        }
        group.post(":ref/deliver", allow: .staff) { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Delivery.self, context: context)
            let command = DeliverShipment(orderRef: ref, signedBy: body.signedBy, signedAt: body.signedAt, deliveryNote: body.deliveryNote)
            let event = try await env.perform("POST /orders/{ref}/deliver", correlationId: ref) { work in try Shipping.deliver(command, work) }
            guard let event else { return try Unchanged(orderRef: ref, note: "delivered already; nothing changed").response(from: request, context: context) }
            return try event.response(from: request, context: context)
        }
    }
}

extension WarehouseOrderView: ResponseEncodable {}
