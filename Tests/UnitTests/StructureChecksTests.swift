import Foundation
import Testing

/// The checks `make test` runs on the code's structure (Tools/structure): no two capabilities of a
/// department use each other, nothing names the wiring, and no SQL outside stores and migrations.
@Suite struct StructureChecksTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func check(_ tree: URL, _ script: String = "capability_cycles.py") throws -> (status: Int32, output: String) {
        try runPythonScript("Tools/structure/\(script)", [tree.path])
    }

    /// A copy of Services/ with one file added.
    func services(adding path: String, _ text: String) throws -> URL {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("cycles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("Services"), to: tree.appendingPathComponent("Services"))
        try text.write(to: tree.appendingPathComponent("Services/\(path)"), atomically: true, encoding: .utf8)
        return tree
    }

    @Test func theDepartmentsHaveNoCycle() throws {
        let result = try check(Self.root)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Sales: Orders -> "), "the graph is printed: \(result.output)")
    }

    @Test func aCapabilityUsingOneThatUsesItFails() throws {
        // Products is used by Orders (prices); Products reaching into Orders' store closes a cycle.
        let tree = try services(adding: "Sales/Products/LiveOrders.swift", """
            /// How many live orders a product is on.
            struct LiveOrders { let store: OrderStore }
            """)
        defer { try? FileManager.default.removeItem(at: tree) }
        let result = try check(tree)
        #expect(result.status == 1)
        #expect(result.output.contains("Sales: cycle between") && result.output.contains("Orders") && result.output.contains("Products"),
                "\(result.output)")
    }

    @Test func aCapabilityNamingTheWiringFails() throws {
        let tree = try services(adding: "Finance/Ledger/Wired.swift", "struct Wired { let spec = Finance.spec }\n")
        defer { try? FileManager.default.removeItem(at: tree) }
        let result = try check(tree)
        #expect(result.status == 1)
        #expect(result.output.contains("Finance: Ledger names the wiring (Finance.swift)"), "\(result.output)")
    }

    @Test func aNameInACommentOrAStringIsNoDependency() throws {
        let tree = try services(adding: "Sales/Products/Note.swift", """
            // OrderStore reads these prices.
            let note = "see OrderStore"
            """)
        defer { try? FileManager.default.removeItem(at: tree) }
        #expect(try check(tree).status == 0)
    }

    @Test func noSQLIsOutsideAStore() throws {
        let result = try check(Self.root, "sql_in_stores.py")
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func aStatementInARouteFails() throws {
        let tree = try services(adding: "Sales/Products/Counted.swift", #"""
            let counted = """
                SELECT count(*) FROM products
                """
            """#)
        defer { try? FileManager.default.removeItem(at: tree) }
        let result = try check(tree, "sql_in_stores.py")
        #expect(result.status == 1)
        #expect(result.output.contains("Services/Sales/Products/Counted.swift:1: SQL outside a store"), "\(result.output)")
        // The same statement in the capability's store is where it belongs.
        try FileManager.default.moveItem(at: tree.appendingPathComponent("Services/Sales/Products/Counted.swift"),
                                         to: tree.appendingPathComponent("Services/Sales/Products/CountedStore.swift"))
        #expect(try check(tree, "sql_in_stores.py").status == 0)
    }
}
