import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Stock: what is on hand, its ledger (`/movements`), and goods received into a warehouse.
struct StockRoutes: Sendable {
    let env: ServiceEnvironment

    struct Receipt: Decodable, Sendable {
        let warehouse: String, sku: String, quantity: Int64, reference: String
        /// The purchase order the goods came under; without one the receipt is under authority limits.
        let purchaseOrder: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            warehouse = try c.decode(String.self, forKey: .warehouse)
            sku = try c.decode(String.self, forKey: .sku)
            quantity = try c.decode(Int64.self, forKey: .quantity)
            reference = try c.decode(String.self, forKey: .reference)
            purchaseOrder = try c.decodeIfPresent(String.self, forKey: .purchaseOrder)
            try Validate.notBlank(warehouse, "warehouse", max: 64)
            try Validate.notBlank(sku, "sku", max: 64)
            try Validate.require(quantity > 0 && quantity <= 10_000_000, "quantity", "must be 1 to 10000000")
            try Validate.notBlank(reference, "reference", max: 100)
            if let purchaseOrder { try Validate.notBlank(purchaseOrder, "purchaseOrder", max: 100) }
        }
        enum CodingKeys: CodingKey { case warehouse, sku, quantity, reference, purchaseOrder }
    }

    enum ReceiptOutcome: Sendable { case received(Bool), pending(ApprovalRecord) }
    struct ReceiptAnswer: ResponseEncodable, Sendable { let reference: String; let recorded: Bool; let note: String }

    func add(to router: Routes) {
        let group = router.group("/stock")
        group.get(allow: .readers) { request, _ -> Page<StockView> in
            let (limit, after) = try PageRequest.numbered(request, max: LogisticsAPI.maxLimit)
            let sku = request.uri.queryParameters.get("sku")
            let rows = try await env.read { try WarehouseReads(tx: $0).stock(sku: sku, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.post("receipts", allow: .staff) { request, context -> Response in
            let body = try await request.decode(as: Receipt.self, context: context)
            let outcome = try await env.perform("POST /stock/receipts") { work -> ReceiptOutcome in
                if body.purchaseOrder == nil {
                    let receipt = LogisticsApprovals.Receipt(warehouse: body.warehouse, sku: body.sku, quantity: body.quantity,
                                                             reference: body.reference)
                    if case .pending(let approval) = try LogisticsApprovals.book.authorise(
                        LogisticsApprovals.unreferencedReceipt, subject: body.reference, amount: body.quantity, payload: receipt,
                        summary: "book in \(body.quantity) × \(body.sku) at \(body.warehouse) without a purchase order (\(body.reference))", work) {
                        return .pending(approval)
                    }
                }
                return .received(try StockKeeping.receive(warehouse: body.warehouse, sku: body.sku, quantity: body.quantity,
                                                          reference: body.reference, purchaseOrder: body.purchaseOrder, work))
            }
            let fresh: Bool
            switch outcome {
            case .pending(let approval): return try ApprovalPending(approval).response()
            case .received(let received): fresh = received
            }
            var response = try ReceiptAnswer(reference: body.reference, recorded: fresh,
                                             note: fresh ? "received" : "this reference was recorded before; nothing changed")
                .response(from: request, context: context)
            response.status = fresh ? .created : .ok
            return response
        }
        router.get("/movements", allow: .readers) { request, _ -> Page<MovementView> in
            let (limit, after) = try PageRequest.numbered(request, max: LogisticsAPI.maxLimit)
            let query = request.uri.queryParameters
            let sku = query.get("sku"), order = query.get("order")
            let rows = try await env.read { try WarehouseReads(tx: $0).movements(sku: sku, order: order, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
    }
}

extension StockView: ResponseEncodable {}
extension MovementView: ResponseEncodable {}
