import Foundation
import Testing
@testable import Storage

@Suite struct StorageValueTests {
    @Test func parametersUseTextFormat() {
        #expect(PGValue.int(-42).wireText == "-42")
        #expect(PGValue.bool(true).wireText == "t")
        #expect(PGValue.null.wireText == nil)
        let id = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
        #expect(PGValue.uuid(id).wireText == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
        #expect(PGValue.timestamp(Date(timeIntervalSince1970: 1_700_000_000.25)).wireText == "2023-11-14T22:13:20.250000Z")
    }

    @Test func arrayLiteralEscapesQuotesAndBackslashes() {
        #expect(PGValue.arrayLiteral([]) == "{}")
        #expect(PGValue.arrayLiteral(["a", "b,c"]) == #"{"a","b,c"}"#)
        #expect(PGValue.arrayLiteral([#"say "hi"\"#]) == #"{"say \"hi\"\\"}"#)
    }

    @Test func timestampsRoundTrip() throws {
        let parsed = try #require(PGTime.parse("2026-11-23 11:21:17.123456+00"))
        #expect(PGTime.format(parsed) == "2026-11-23T11:21:17.123456Z")
        let offset = try #require(PGTime.parse("2026-11-23 13:21:17+02"))
        #expect(PGTime.format(offset) == "2026-11-23T11:21:17.000000Z")
        let beforeEpoch = Date(timeIntervalSince1970: -1.5)
        #expect(PGTime.format(beforeEpoch) == "1969-12-31T23:59:58.500000Z")
        #expect(PGTime.parse("not a time") == nil)
    }

    @Test func rowDecodingNamesTheColumn() throws {
        let row = PGRow(columns: ["n", "flag", "money", "missing", "when", "day"],
                        values: ["12", "t", "1500.00", nil, "2026-01-02 03:04:05+00", "2026-12-01"])
        #expect(try row.int("n") == 12)
        #expect(try row.bool("flag"))
        #expect(try row.minorUnits("money") == 1500)
        #expect(try row.optionalInt("missing") == nil)
        #expect(try row.date("day") == "2026-12-01")
        #expect(try row.timestamp("when").timeIntervalSince1970 == 1_767_323_045)
        #expect(throws: PostgresError.self) { try row.int("flag") }
        #expect(throws: PostgresError.self) { try row.string("missing") }
        #expect(throws: PostgresError.self) { try row.string("nope") }
        let fractional = PGRow(columns: ["m"], values: ["12.50"])
        #expect(throws: PostgresError.self) { try fractional.minorUnits("m") }
        do { _ = try row.uuid("n"); Issue.record("expected an error") } catch let error as PostgresError {
            #expect(error.description.contains("\"n\""))
        }
    }

    @Test func errorsKnowWhatIsWorthRetrying() {
        #expect(PostgresError(.server, sqlState: "40001", message: "x").isRetryableConflict)
        #expect(PostgresError(.server, sqlState: "40P01", message: "x").isTransient)
        #expect(PostgresError(.connection, message: "gone").isTransient)
        #expect(PostgresError(.server, sqlState: "57P01", message: "admin shutdown").isTransient)
        #expect(!PostgresError(.server, sqlState: "23505", message: "duplicate").isTransient)
    }

    @Test func identifiersAreCheckedBeforeQuoting() throws {
        #expect(try PGConnection.quoteIdentifier("customer_service") == "\"customer_service\"")
        #expect(throws: PostgresError.self) { try PGConnection.quoteIdentifier("x\"; DROP TABLE y; --") }
        #expect(throws: PostgresError.self) { try PGConnection.quoteIdentifier("") }
    }

    @Test func migrationChecksumFollowsTheSQL() {
        let a = Migration(1, "a", "CREATE TABLE t (x int);")
        let b = Migration(1, "a", "CREATE TABLE t (x bigint);")
        #expect(a.checksum == Migration(1, "renamed", "CREATE TABLE t (x int);").checksum)
        #expect(a.checksum != b.checksum)
    }
}
