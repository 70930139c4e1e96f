import Contracts
import Foundation
import SalesDomain
import Testing

@Suite struct OrderPricingTests {
    let list: [String: [PriceTier]] = [
        "A": [PriceTier(minQuantity: 1, unitPrice: 1250), PriceTier(minQuantity: 100, unitPrice: 1100)],
        "B": [PriceTier(minQuantity: 10, unitPrice: 500)],
    ]
    let plain = CustomerTerms(code: "C-1", currency: "CNY", allowsPriceOverride: false, contractPrices: ["B": 450])

    func order(_ lines: String, currency: String? = nil) throws -> PlaceOrder {
        let json = """
            {"orderRef":"R-1","customerCode":"C-1","lines":\(lines),\(currency.map { "\"currency\":\"\($0)\"," } ?? "")
             "deliveryAddress":{"line1":"1 Road","city":"Shanghai","postalCode":"200000","country":"CN"},
             "requestedDeliveryDate":"2026-12-01"}
            """
        return try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data(json.utf8))
    }

    func code(_ result: Result<[OrderPlaced.Line], OrderRejection>) -> String? {
        if case .failure(let r) = result { return r.code.rawValue } else { return nil }
    }

    @Test func quantityTiersAndContractPrices() throws {
        let lines = try OrderPricing.price(try order(#"[{"sku":"A","quantity":99},{"sku":"A","quantity":100},{"sku":"B","quantity":2}]"#),
                                           customer: plain, priceList: list).get()
        #expect(lines.map(\.unitPrice) == [1250, 1100, 450])
        #expect(lines.map(\.lineTotal) == [123_750, 110_000, 900])
    }

    @Test func belowTheLowestTierUsesTheLowestTier() throws {
        let lines = try OrderPricing.price(try order(#"[{"sku":"B","quantity":1}]"#),
                                           customer: CustomerTerms(code: "C-1", currency: "CNY", allowsPriceOverride: false),
                                           priceList: list).get()
        #expect(lines[0].unitPrice == 500)
    }

    @Test func rejectionsHaveReasonCodes() throws {
        #expect(code(OrderPricing.price(try order(#"[{"sku":"A","quantity":1}]"#), customer: nil, priceList: list)) == "unknown-customer")
        #expect(code(OrderPricing.price(try order(#"[{"sku":"Z","quantity":1}]"#), customer: plain, priceList: list)) == "unknown-sku")
        #expect(code(OrderPricing.price(try order(#"[{"sku":"A","quantity":0}]"#), customer: plain, priceList: list)) == "bad-quantity")
        #expect(code(OrderPricing.price(try order(#"[{"sku":"A","quantity":-3}]"#), customer: plain, priceList: list)) == "bad-quantity")
        #expect(code(OrderPricing.price(try order(#"[{"sku":"A","quantity":1}]"#, currency: "USD"), customer: plain, priceList: list)) == "currency-mismatch")
        #expect(code(OrderPricing.price(try order(#"[{"sku":"A","quantity":1,"unitPrice":5}]"#), customer: plain, priceList: list)) == "price-override-not-allowed")
    }

    @Test func overridesOnlyWhereTheContractAllows() throws {
        let flexible = CustomerTerms(code: "C-1", currency: "CNY", allowsPriceOverride: true)
        let lines = try OrderPricing.price(try order(#"[{"sku":"A","quantity":2,"unitPrice":999}]"#), customer: flexible, priceList: list).get()
        #expect(lines[0].unitPrice == 999 && lines[0].lineTotal == 1998)
        #expect(code(OrderPricing.price(try order(#"[{"sku":"A","quantity":2,"unitPrice":0}]"#), customer: flexible, priceList: list)) == "bad-price")
    }

    @Test func structurallyInvalidOrdersNameTheField() {
        func error(_ json: String) -> String? {
            do { _ = try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data(json.utf8)); return nil } catch { return "\(error)" }
        }
        let address = #""deliveryAddress":{"line1":"x","city":"y","postalCode":"1","country":"CN"}"#
        #expect(error(#"{"orderRef":"R","customerCode":"C","lines":[],\#(address),"requestedDeliveryDate":"2026-12-01"}"#)?.contains("lines:") == true)
        #expect(error(#"{"orderRef":"R","customerCode":"C","lines":[{"sku":"A","quantity":1}],\#(address),"requestedDeliveryDate":"tomorrow"}"#)?.contains("requestedDeliveryDate") == true)
        #expect(error(#"{"orderRef":"R","customerCode":"C","lines":[{"sku":"A","quantity":1}],"requestedDeliveryDate":"2026-12-01"}"#)?.contains("deliveryAddress") == true)
        #expect(error(#"{"orderRef":"R","customerCode":"C","lines":[{"sku":"A","quantity":"1"}],\#(address),"requestedDeliveryDate":"2026-12-01"}"#)?.contains("lines[0].quantity") == true)
    }
}

@Suite struct OrderTotalOverflowTests {
    @Test func anOrderTotalBeyondAnyAmountIsRejectedNotACrash() throws {
        let body = #"{"orderRef":"O","customerCode":"C","lines":[{"sku":"A","quantity":1,"unitPrice":4611686018427387904},{"sku":"A","quantity":1,"unitPrice":4611686018427387904}],"deliveryAddress":{"line1":"x","city":"y","postalCode":"z","country":"CN"},"requestedDeliveryDate":"2026-12-01"}"#
        let order = try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data(body.utf8))
        let customer = CustomerTerms(code: "C", currency: "CNY", allowsPriceOverride: true)
        let outcome = OrderPricing.price(order, customer: customer, priceList: ["A": [PriceTier(minQuantity: 1, unitPrice: 100)]])
        #expect(outcome == .failure(OrderRejection(code: .badPrice, message: "the order total is beyond any amount")))
    }
}
