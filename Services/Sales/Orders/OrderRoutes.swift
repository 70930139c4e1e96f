import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// Orders: one reference with its whole history, the list, and cancelling.
struct OrderRoutes: Sendable {
    let env: ServiceEnvironment

    struct Cancel: Decodable, Sendable { let reason: String? }
    struct Cancelling: ResponseEncodable, Sendable { let orderRef: String; let status: String; let note: String }

    func add(to router: Routes) {
        let group = router.group("/orders")
        // Every order under that reference (rejected attempts too), oldest first, each with its history.
        group.get(":ref", allow: .readers) { _, context -> [SalesOrderView] in
            let ref = try context.parameters.require("ref")
            let orders = try await env.read { try OrderReads(tx: $0).orders(ref: ref) }
            guard !orders.isEmpty else { throw APIError.notFound("no order \(ref)") }
            return orders
        }
        group.get(allow: .readers) { request, _ -> Page<SalesOrderView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let status = query.get("status"), customer = query.get("customer")
            if let status, OrderStatus(rawValue: status) == nil {
                throw APIError(.badRequest, "invalid-field", "status: must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let rows = try await env.read { try OrderReads(tx: $0).orders(status: status, customer: customer, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        // A salesperson enters an order by hand; the outcome is on the order (GET /orders/{ref}).
        group.post(allow: .staff) { request, context -> Response in
            let order = try await request.decode(as: PlaceOrder.self, context: context)
            let outcome = try await env.perform("POST /orders", correlationId: order.orderRef) { work in
                try OrderIntake.enter(order, work)
            }
            switch outcome {
            case .allowed:
                let orders = try await env.read { try OrderReads(tx: $0).orders(ref: order.orderRef) }
                // Not taken (unknown customer or SKU, a bad quantity, a live order under the reference):
                // 422 with the reason; the rejected attempt is kept under the reference.
                if let last = orders.last, last.status == OrderStatus.rejected.rawValue {
                    throw APIError(.unprocessableContent, last.reasonCode ?? "rejected",
                                   last.history?.last?.detail ?? "order \(order.orderRef) was rejected")
                }
                var response = try orders.response(from: request, context: context)
                response.status = .created
                return response
            case .pending(let approval): return try ApprovalPending(approval).response()
            }
        }
        group.post(":ref/cancel", allow: .staff) { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Cancel.self, context: context)
            let outcome = try await env.perform("POST /orders/{orderRef}/cancel", correlationId: ref) { work in
                try OrderTracking.cancel(ref, reason: body.reason ?? "cancelled by sales", work)
            }
            switch outcome {
            case .cancelled(let event): return try event.response(from: request, context: context)
            case .pending(let message):
                var response = try Cancelling(orderRef: ref, status: "cancelling", note: message).response(from: request, context: context)
                response.status = .accepted
                return response
            case .requested(let asked):
                var response = try Cancelling(orderRef: asked.orderRef, status: "cancelling",
                                              note: "the warehouse releases the stock first; the order is cancelled when it has")
                    .response(from: request, context: context)
                response.status = .accepted
                return response
            case .refused(let refusal): throw APIError(refusal.reasonCode == .unknownOrder ? .notFound : .conflict,
                                                       refusal.reasonCode.rawValue, refusal.message)
            }
        }
    }
}

extension SalesOrderView: ResponseEncodable {}
