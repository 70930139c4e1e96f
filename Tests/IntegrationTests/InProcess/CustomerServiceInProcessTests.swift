import Contracts
import CustomerServiceService
import Foundation
import Hummingbird
import HummingbirdTesting
import Messaging
import Storage
import Testing

/// Customer service's handlers and routes, in-process against the real PostgreSQL: a complaint
/// from opening to the credited return, the revisit after delivery, paging.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct CustomerServiceInProcessTests {
    static let address = try! JSONDecoder().decode(PlaceOrder.Address.self, from: Data(
        #"{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"}"#.utf8))

    /// The desk keeps a copy of the customer's file from `sales.customer.changed`: the newest version
    /// wins, whatever order the events come in, and the customer's record shows it.
    @Test func theDeskKeepsTheNewestCustomerFileSalesTold() async throws {
        let desk = try await ServiceHarness.make(CustomerService.spec)
        func file(_ version: Int64, _ name: String) -> CustomerChanged {
            CustomerChanged(customerCode: "C-9", version: version, name: name, currency: "CNY", stage: "relationship",
                            classification: "partner", keyAccount: version > 1, owner: "wang.fang", city: "Hangzhou",
                            contacts: [.init(name: "Mr Zhou", role: "buyer", email: "zhou@acme.example")])
        }
        #expect(try await desk.call("cs.hu", .get, "/customers/C-9").status == .notFound)
        try await desk.deliver(file(2, "Acme Group"))
        try await desk.deliver(file(1, "Acme Ltd"))      // late
        try await desk.deliver(file(2, "Acme Group"))    // again
        let record = try await desk.call("cs.hu", .get, "/customers/C-9")
        #expect(record.status == .ok)
        let kept = try #require(record.json["file"] as? [String: Any])
        #expect(kept["name"] as? String == "Acme Group" && int64(kept["version"]) == 2 && kept["keyAccount"] as? Bool == true)
        #expect(((kept["contacts"] as? [[String: Any]]) ?? []).first?["email"] as? String == "zhou@acme.example")
        await desk.cleanUp()
    }

    @Test func aComplaintEndsInACreditedReturnThatNeverReturnsTheSameGoodsTwice() async throws {
        let desk = try await ServiceHarness.make(CustomerService.spec)
        try await desk.deliver(OrderAccepted(orderId: UUID(), orderRef: "O-1", customerCode: "C-1", currency: "CNY",
                                             lines: [.init(sku: "A", quantity: 4, unitPrice: 100, lineTotal: 400)], total: 400,
                                             deliveryAddress: Self.address, requestedDeliveryDate: "2026-12-15", releasedBy: nil))
        let complaint = try ContractRegistry.decodeStrict(OpenComplaint.self, from: Data(
            #"{"channel":"phone","orderRef":"O-1","category":"damaged","description":"bent"}"#.utf8))
        try await desk.deliver(complaint, replyTo: "tests.caller")
        let opened = try #require(try await desk.outbox("customer_service.complaint.opened.v1").first { $0.routingKey != "tests.caller" })
        let number = try #require(opened.body["caseNumber"] as? String)
        #expect(opened.body["routedTo"] as? String == "logistics")
        try await desk.http { client in
            let early = try await client.execute(uri: "/complaints/\(number)/resolve", method: .post,
                                                 body: ByteBuffer(string: #"{"resolution":"return","lines":[{"sku":"A","quantity":2}]}"#))
            #expect(early.status == .conflict && (early.json["error"] as? [String: Any])?["code"] as? String == "not-delivered")
        }
        try await desk.deliver(ShipmentDelivered(orderRef: "O-1", shipmentId: UUID(), signedBy: "Ms Lin",
                                                 signedAt: try Validate.timestamp("2026-12-01T09:30:00Z", "t")))
        #expect(try await desk.outbox("customer_service.revisit.scheduled.v1").first?.body["dueOn"] as? String == "2026-12-08")
        try await desk.http { client in
            let tooMany = try await client.execute(uri: "/complaints/\(number)/resolve", method: .post,
                                                   body: ByteBuffer(string: #"{"resolution":"return","lines":[{"sku":"A","quantity":5}]}"#))
            #expect(tooMany.status == .unprocessableContent)
            let ok = try await client.execute(uri: "/complaints/\(number)/resolve", method: .post,
                                              body: ByteBuffer(string: #"{"resolution":"return","lines":[{"sku":"A","quantity":3}]}"#))
            #expect(ok.status == .ok && ok.json["status"] as? String == "return-authorised")
        }
        let authorised = try #require(try await desk.outbox("customer_service.return.authorised.v1").first)
        let caseId = try #require(UUID(uuidString: authorised.body["caseId"] as? String ?? ""))
        try await desk.deliver(CreditNoteIssued(creditNoteNumber: "CN-1", orderRef: "O-1", customerCode: "C-1", caseId: caseId, amount: 300,
                                                currency: "CNY", allocations: [], customerCredit: 300))
        #expect(try await desk.outbox("customer_service.complaint.resolved.v1").count == 1)
        try await desk.http { client in
            let detail = try await client.execute(uri: "/complaints/\(number)", method: .get).json
            #expect(detail["status"] as? String == "resolved" && ((detail["log"] as? [Any])?.count ?? 0) >= 3)
            let record = try await client.execute(uri: "/customers/C-1", method: .get).json
            #expect((record["cases"] as? [Any])?.count == 1 && (record["revisits"] as? [Any])?.count == 1)
            let revisits = try await client.execute(uri: "/revisits?customer=C-1&status=due", method: .get).json["items"] as? [[String: Any]]
            #expect(revisits?.first?["orderRef"] as? String == "O-1")
            let done = try await client.execute(uri: "/revisits/O-1/complete", method: .post, body: ByteBuffer(string: #"{"satisfaction":4}"#))
            #expect(done.status == .ok)
            let again = try await client.execute(uri: "/revisits/O-1/complete", method: .post, body: ByteBuffer(string: #"{"satisfaction":4}"#))
            #expect(again.status == .notFound)
        }
        await desk.cleanUp()
    }
}
