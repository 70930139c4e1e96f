import Foundation
import Hummingbird
import ServiceKit
import Storage

/// Read side for people and other systems: an order with its whole history.
enum SalesAPI {
    static func add(_ router: Router<BasicRequestContext>, _ env: ServiceEnvironment) {
        router.get("/orders/:ref") { _, context in
            let ref = try context.parameters.require("ref")
            let orders = try await env.pool.query("""
                SELECT id, order_ref, customer_code, status, currency, total, reason_code, lines::text AS lines
                FROM orders WHERE order_ref = $1 ORDER BY created_at
                """, [.text(ref)])
            guard !orders.isEmpty else { throw HTTPError(.notFound, message: "no order \(ref)") }
            var result: [[String: Any]] = []
            for order in orders {
                let history = try await env.pool.query(
                    "SELECT status, event, detail, at FROM order_history WHERE order_id = $1 ORDER BY id", [.uuid(try order.uuid("id"))])
                result.append([
                    "orderId": try order.string("id"), "orderRef": try order.string("order_ref"),
                    "customerCode": try order.string("customer_code"), "status": try order.string("status"),
                    "currency": try order.optionalString("currency") as Any, "total": try order.optionalInt("total") as Any,
                    "reasonCode": try order.optionalString("reason_code") as Any,
                    "lines": (try? JSONSerialization.jsonObject(with: Data(try order.string("lines").utf8))) as Any,
                    "history": try history.map { ["status": try $0.string("status"), "event": try $0.string("event"),
                                                  "detail": try $0.optionalString("detail") as Any,
                                                  "at": try $0.timestamp("at").formatted(.iso8601)] },
                ])
            }
            let body = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
