import Foundation
import Testing
@testable import Contracts

private struct Line: Codable, Sendable { let sku: String; let quantity: Int64 }
private struct Sample: MessageContract {
    static let messageType = "sample.thing.v1"
    let ref: String
    let lines: [Line]
    let note: String?
}

@Suite struct ContractTests {
    var registry: ContractRegistry {
        var r = ContractRegistry()
        r.register(Sample.self)
        return r
    }

    func error(_ json: String, type: String = Sample.messageType) -> ContractError? {
        do { _ = try registry.decode(type: type, body: Data(json.utf8)); return nil } catch let e as ContractError { return e } catch { return nil }
    }

    @Test func decodesAValidBodyAndIgnoresExtraFields() throws {
        let decoded = try registry.decode(type: Sample.messageType,
                                          body: Data(#"{"ref":"A","lines":[{"sku":"S","quantity":2}],"extra":1}"#.utf8))
        let sample = try #require(decoded as? Sample)
        #expect(sample.lines.first?.quantity == 2)
        #expect(sample.note == nil)
    }

    @Test func malformedJSONIsNamed() {
        #expect(error("{not json")?.code == .malformedJSON)
        #expect(error("[1,2]")?.code == .malformedJSON)
        #expect(error("\"text\"")?.code == .malformedJSON)
    }

    @Test func unknownTypeIsNamed() {
        let e = error("{}", type: "sample.thing.v9")
        #expect(e?.code == .unknownType)
        #expect(e?.message.contains("sample.thing.v9") == true)
    }

    @Test func missingAndIllTypedFieldsNameTheirPath() {
        let missing = error(#"{"lines":[]}"#)
        #expect(missing?.code == .invalidField)
        #expect(missing?.message.hasPrefix("ref:") == true)
        let wrongType = error(#"{"ref":"A","lines":[{"sku":"S","quantity":"three"}]}"#)
        #expect(wrongType?.message.hasPrefix("lines[0].quantity:") == true)
        let fraction = error(#"{"ref":"A","lines":[{"sku":"S","quantity":1.5}]}"#)
        #expect(fraction?.message.hasPrefix("lines[0].quantity:") == true)
        let null = error(#"{"ref":null,"lines":[]}"#)
        #expect(null?.message.hasPrefix("ref:") == true)
    }

    @Test func validateNamesTheField() {
        do { try Validate.require(false, "lines[1].quantity", "must be positive"); Issue.record("no error") } catch let e as ContractError {
            #expect(e.description == "invalid-field: lines[1].quantity: must be positive")
        } catch { Issue.record("wrong error") }
    }

    /// Timestamps are RFC 3339 date-times, strictly: no minute 99 rolled over into the next hour.
    @Test func timestampsAreReadStrictly() {
        #expect(Validate.parseTimestamp("2026-12-01T09:30:00Z") == Date(timeIntervalSince1970: 1_796_117_400))
        #expect(Validate.parseTimestamp("2026-12-01T17:30:00+08:00") == Date(timeIntervalSince1970: 1_796_117_400))
        #expect(Validate.parseTimestamp("2026-12-01t09:30:00.250z") != nil, "fractions, and RFC 3339's lower-case t and z")
        for bad in ["2024-01-01T12:99:00Z", "2024-01-01T24:00:00Z", "2024-02-30T10:00:00Z", "2024-01-01T10:00:00", "2024-01-01 10:00:00Z",
                    "2024-01-01T10:00:00+25:00", "2024-01-01T10:00:00.Z", "2024-01-01T10:00:00Zjunk"] {
            #expect(Validate.parseTimestamp(bad) == nil, "\(bad)")
        }
    }

    /// An order reference of only whitespace (a form feed too) is refused.
    @Test func aBlankOrderReferenceIsRefused() {
        let blank = #"{"orderRef":"\f","customerCode":"C-1","lines":[{"sku":"A","quantity":1}],"deliveryAddress":{"line1":"1 Road","city":"X","postalCode":"1","country":"CN"},"requestedDeliveryDate":"2026-12-15"}"#
        #expect(throws: ContractError.self) { try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data(blank.utf8)) }
    }
}
