import Foundation

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
        let found = await eventually(timeout: timeout) { self.text.contains(needle) || !self.process.isRunning }
        if !found || !text.contains(needle) {
            throw TestSetupError("\(name) did not print \"\(needle)\" within \(timeout) s; output:\n\(text.suffix(3000))")
        }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end and returns its exit status (nil on timeout).
    func waitExit(timeout: Double = 20) async -> Int32? {
        let ended = await eventually(timeout: timeout) { !self.process.isRunning }
        return ended ? process.terminationStatus : nil
    }

    func stop() async {
        guard process.isRunning else { return }
        signal(SIGTERM)
        if await waitExit(timeout: 15) == nil {
            signal(SIGKILL)
            _ = await waitExit(timeout: 5)
        }
    }
}

/// A free TCP port on loopback for a child's HTTP server.
func freePort() -> Int {
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
