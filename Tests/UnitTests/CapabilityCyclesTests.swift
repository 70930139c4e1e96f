import Foundation
import Testing

/// The check `make test` runs on the departments' structure (Tools/structure/capability_cycles.py):
/// no two capabilities of a department use each other, and nothing names the wiring.
@Suite struct CapabilityCyclesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func check(_ tree: URL) throws -> (status: Int32, output: String) {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("Tools/structure/capability_cycles.py").path, tree.path]
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
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
}
