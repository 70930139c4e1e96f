import Foundation
import Synchronization

/// A real child process (a service or the probe) whose output the test can wait on,
/// and which it can kill with a real signal.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let name: String
    private let lock = NSLock()
    private var output = ""

    init(_ executable: String, _ arguments: [String] = [], environment: [String: String]) throws {
        name = executable
        process.executableURL = TestServers.binDir.appendingPathComponent(executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["AMQP_URL", "DATABASE_URL", "HTTP_PORT", "PROBE_PAUSE_AFTER_COMMIT"] { env[key] = nil }
        // The runner's own OpenTelemetry settings would send these processes' spans elsewhere.
        for key in env.keys where key.hasPrefix("OTEL_") { env[key] = nil }
        // Every service trusts the tests' signing keys (SignIn), as `make run`'s trust .local/auth.
        env["AUTH_JWKS_FILE"] = SignIn.issuer.jwksFile.path
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.output += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        ChildProcess.register(process)
    }

    /// Every child ever started; whatever still runs when the test process exits is killed, so
    /// no service outlives its test to compete for queues (or stall with a full stdout pipe).
    nonisolated(unsafe) private static var all: [Process] = []
    private static let registry = NSLock()

    private static func register(_ process: Process) {
        registry.lock()
        defer { registry.unlock() }
        if all.isEmpty { atexit { ChildProcess.killAll() } }
        all.append(process)
    }

    static func killAll() {
        registry.lock()
        defer { registry.unlock() }
        for process in all where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return output
    }

    /// Waits until the output contains `needle`; throws with the output so far when it does not.
    func waitFor(_ needle: String, timeout: Double = 30) async throws {
        let found = await eventually(timeout: timeout) { self.text.contains(needle) || !self.isRunning }
        if !found || !text.contains(needle) {
            throw TestSetupError("\(name) did not print \"\(needle)\" within \(timeout) s; output:\n\(text.suffix(3000))")
        }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }
    var pid: Int32 { process.processIdentifier }

    /// Waits for the process to end and returns its exit status (nil on timeout; a signal
    /// that ended it counts as its number). Asks the kernel, not Foundation's exit monitor,
    /// which has been seen to report a child as running long after it had exited.
    func waitExit(timeout: Double = 20) async -> Int32? {
        let ended = await eventually(timeout: timeout) { self.exitStatus != nil }
        return ended ? exitStatus : nil
    }

    var isRunning: Bool { exitStatus == nil }

    /// The exit status once the process has ended, without reaping it (WNOWAIT), so
    /// Foundation's own waitpid still finds it; if Foundation reaped it first, its record.
    var exitStatus: Int32? {
        // Once Foundation has reaped it, its pid may belong to a newer child: trust Foundation then.
        if !process.isRunning { return process.terminationStatus }
        var info = siginfo_t()
        if waitid(P_PID, id_t(process.processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
            let pid = info._sifields._sigchld.si_pid
            guard pid == process.processIdentifier else { return nil }  // still running
            return info._sifields._sigchld.si_status
        }
        for _ in 0..<100 where process.isRunning { usleep(10_000) }  // reaped: Foundation is recording it
        return process.isRunning ? nil : process.terminationStatus
    }

    /// What each thread of a process that will not end is doing: kernel wait channels, and
    /// a backtrace when gdb is installed. Goes into the failure message.
    func diagnosis() -> String {
        let pid = process.processIdentifier
        var lines = ["pid \(pid): " + ((try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("State:") }.map(String.init) ?? "no /proc entry")]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks.sorted() {
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8)) ?? "?"
            let wchan = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/wchan", encoding: .utf8)) ?? "?"
            lines.append("  thread \(task) \(comm.trimmingCharacters(in: .whitespacesAndNewlines)) waits in \(wchan)")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bt-\(pid).txt").path
        if system("command -v gdb >/dev/null && timeout 60 gdb -batch -p \(pid) -ex 'thread apply all bt' >\(out) 2>&1") == 0,
           let trace = try? String(contentsOfFile: out, encoding: .utf8) {
            lines.append(trace.split(separator: "\n").filter { $0.hasPrefix("#") || $0.hasPrefix("Thread") }.joined(separator: "\n"))
        }
        return lines.joined(separator: "\n")
    }

    func stop() async {
        guard isRunning else { return }
        signal(SIGTERM)
        if await waitExit(timeout: 15) == nil {
            signal(SIGKILL)
            _ = await waitExit(timeout: 5)
        }
    }
}

/// A free TCP port on loopback for a child's HTTP server.
/// A port free now and not handed out before in this run: the system may offer a port it just
/// freed again, and two services given one port would leave one of them unstarted.
func freePort() -> Int {
    while true {
        let port = unusedPort()
        if handedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
}

private let handedOut = Mutex<Set<Int>>([])

private func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
