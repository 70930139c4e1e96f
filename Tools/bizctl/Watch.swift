import ArgumentParser
import Foundation

/// `bizctl status`, refreshed in place like `top` until Ctrl-C (or `--count` screens).
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the services and their queues, refreshed in place until Ctrl-C.",
        discussion: "On a terminal each refresh replaces the screen; piped, each is printed after the one before, under its time.")

    @OptionGroup var options: StatusOptions

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 2

    @Option(help: "Stop after this many refreshes (default: until interrupted).")
    var count: Int?

    func validate() throws {
        guard interval >= 0.2 else { throw ValidationError("--interval must be at least 0.2 seconds") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        var shown = 0
        var healthy = true
        while count.map({ shown < $0 }) ?? true {
            let report = try await options.gather()
            healthy = report.healthy
            let stamp = Date().formatted(.iso8601)
            let screen = "bizctl watch — \(stamp) — every \(interval) s (Ctrl-C to stop)\n\n" + Status.render(report)
            // Home and clear on a terminal; piped, one screen after another.
            print(Terminal.colour ? "\u{1B}[H\u{1B}[2J" + screen : screen + "\n")
            fflush(nil)  // all output streams: the screen shows at once
            shown += 1
            if count.map({ shown >= $0 }) ?? false { break }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
        if !healthy { throw ExitCode(1) }
    }
}
