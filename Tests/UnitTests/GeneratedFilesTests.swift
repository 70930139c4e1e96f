import Contracts
import Foundation
import Testing

/// Facts written once (reason codes, the service list) and the files `make generate` writes
/// from them: the check that CI runs catches a generated file that no longer matches its source.
@Suite struct GeneratedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The generator's `--check` on a copy of the tree: its exit status and what it printed.
    func check(_ tree: URL) throws -> (status: Int32, output: String) {
        try runPythonScript("Tools/generate/generate.py", ["--check", "--root", tree.path])
    }

    /// A copy of what the generator reads and writes.
    func copyOfTree() throws -> URL {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID().uuidString)")
        for path in ["deploy", "Shared/Contracts", "docs/contracts", "docker-compose.yml", "Services", "README.md"] {
            let target = tree.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.root.appendingPathComponent(path), to: target)
        }
        return tree
    }

    func edit(_ tree: URL, _ path: String, _ change: (String) -> String) throws {
        let file = tree.appendingPathComponent(path)
        try change(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
    }

    @Test func theCommittedFilesAreWhatTheirSourcesSay() throws {
        let tree = try copyOfTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let result = try check(tree)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func aChangedReasonCodeMeaningMakesTheSwiftAndTheTableStale() throws {
        let tree = try copyOfTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        try edit(tree, "Shared/Contracts/Kit/reason-codes.yaml") {
            $0.replacingOccurrences(of: "the order was cancelled\"", with: "the order was called off\"")
        }
        let result = try check(tree)
        #expect(result.status == 1)
        #expect(result.output.contains("Shared/Contracts/Kit/ReasonCode.swift") && result.output.contains("docs/contracts/README.md"),
                "\(result.output)")
        #expect(result.output.contains("+| `order-cancelled` |"), "the difference is shown: \(result.output)")
    }

    @Test func aDepartmentAddedToTheListMakesEveryPlaceThatNamesThemStale() throws {
        let tree = try copyOfTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        try edit(tree, "deploy/services.txt") { $0 + "operations        operations        8086  department\n" }
        let result = try check(tree)
        #expect(result.status == 1)
        for stale in ["Services/Departments.swift", "deploy/rabbitmq/definitions.json", "deploy/postgres/init.sql",
                      "docker-compose.yml", "deploy/observability/prometheus.yml"] {
            #expect(result.output.contains(stale), "\(stale) is not reported stale: \(result.output)")
        }
    }

    /// An event is written once, as its schema: a field added there is missing from the Swift type,
    /// the AsyncAPI message and nothing else until `make generate`.
    @Test func aFieldAddedToAnEventsSchemaMakesItsSwiftTypeStale() throws {
        let tree = try copyOfTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        try edit(tree, "docs/contracts/schemas/sales.order.completed.v1.json") {
            $0.replacingOccurrences(of: #""properties": {"#, with: #""properties": {"completedOn": {"type": "string", "description": "The day."},"#)
        }
        let result = try check(tree)
        #expect(result.status == 1)
        #expect(result.output.contains("Shared/Contracts/Sales/SalesEvents.swift") && result.output.contains("+    public let completedOn: String?"),
                "\(result.output)")
    }

    @Test func aListRowThatIsNotFourColumnsIsRefused() throws {
        let tree = try copyOfTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        try edit(tree, "deploy/services.txt") { $0 + "purchasing purchasing 8087\n" }
        let result = try check(tree)
        #expect(result.status != 0 && result.output.contains("is not `name id port kind`"), "\(result.output)")
    }

    /// Each code is written once, with its meaning in English and Chinese beside it.
    @Test func everyReasonCodeHasItsMeaningInBothLanguages() {
        #expect(Set(ReasonCode.known.map(\.rawValue)).count == ReasonCode.known.count)
        for code in ReasonCode.known {
            #expect(ReasonCode(code.rawValue) == code)
            let meaning = code.meaning
            #expect(!(meaning?.en.isEmpty ?? true) && !(meaning?.zh.isEmpty ?? true), "\(code) has no meaning")
            #expect(meaning?.zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } ?? false, "\(code): zh is not Chinese")
        }
        #expect(ReasonCode.unallocated.rawValue == "unallocated" && ReasonCode.orderUnknown.rawValue == "order-unknown")
        #expect(ReasonCode("from-a-newer-service").meaning == nil)
    }
}
