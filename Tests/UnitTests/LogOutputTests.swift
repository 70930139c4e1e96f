import Foundation
import Logging
import Testing
@testable import ServiceKit

private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ line: String) { lock.lock(); items.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite struct LogOutputTests {
    @Test func textLinesCarryTheCorrelationId() {
        let lines = Lines()
        var logger = Logger(label: "sales") { LineLogHandler(label: $0, level: .info, json: false, output: lines.add) }
        logger[metadataKey: "correlation_id"] = "WEB-10023"
        logger.info("order accepted", metadata: ["order": "42"])
        logger.debug("not shown at info")
        #expect(lines.all.count == 1)
        let line = lines.all[0]
        #expect(line.contains(" INFO sales: order accepted | correlation_id=WEB-10023 order=42"))
    }

    @Test func jsonLinesAreOneObjectEach() throws {
        let lines = Lines()
        var logger = Logger(label: "risk") { LineLogHandler(label: $0, level: .info, json: true, output: lines.add) }
        logger[metadataKey: "correlation_id"] = "C-1"
        logger.warning("credit held \"review\"")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: String])
        #expect(object["level"] == "warning")
        #expect(object["logger"] == "risk")
        #expect(object["message"] == "credit held \"review\"")
        #expect(object["correlation_id"] == "C-1")
        #expect(object["ts"]?.hasSuffix("Z") == true)
    }
}
