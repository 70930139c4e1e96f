import Foundation
import Logging

/// One line per event on standard output: plain text for people, or JSON for log
/// collectors (`LOG_FORMAT=json`). Metadata such as `correlation_id` appears on every line.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let label: String
    public let json: Bool
    private let output: @Sendable (String) -> Void
    private static let lock = NSLock()

    public init(label: String, level: Logger.Level, json: Bool,
                output: @escaping @Sendable (String) -> Void = LineLogHandler.standardOutput) {
        self.label = label; self.logLevel = level; self.json = json; self.output = output
    }

    public static let standardOutput: @Sendable (String) -> Void = { line in
        lock.lock()
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        lock.unlock()
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message
        var merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if let error = event.error { merged["error"] = "\(error)" }
        write(level: level, message: message, merged: merged)
    }

    private func write(level: Logger.Level, message: Logger.Message, merged: Logger.Metadata) {
                let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        let text: String
        if json {
            var object: [String: String] = ["ts": time, "level": level.rawValue, "logger": label, "message": "\(message)"]
            for (key, value) in merged { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        } else {
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            text = "\(time) \(level.rawValue.uppercased()) \(label): \(message)" + (fields.isEmpty ? "" : " | \(fields)")
        }
        output(text)
    }
}
