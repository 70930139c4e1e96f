import Foundation
import Synchronization

/// One department's service as deploy/services.txt names it.
struct ServiceEntry: Sendable {
    let executable: String, id: String, port: Int

    static func load(_ file: String = "deploy/services.txt") throws -> [ServiceEntry] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            let cols = line.split(whereSeparator: \.isWhitespace)
            guard !line.hasPrefix("#"), cols.count == 4, cols[3] == "department", let port = Int(cols[2]) else { return nil }
            return ServiceEntry(executable: String(cols[0]), id: String(cols[1]), port: port)
        }
    }
}

/// The service processes the driver runs: `replicas` copies of each (replica k listens on the
/// service's port + 100·k), started as deploy/local/services.sh starts them. It keeps each
/// process's peak RSS and CPU seconds from /proc, counts exits it did not cause, and kills and
/// restarts on request (the fault run).
final class Fleet: Sendable {
    struct Slot: Sendable { let service: ServiceEntry; let replica: Int; var port: Int { service.port + 100 * replica } }

    private struct Incarnation { var pid: Int32; var peakKiB = 0; var cpuSeconds = 0.0; var killed = false }
    private struct State {
        var live: [Int: Incarnation] = [:]          // slot index → running process
        var finished: [(slot: Int, peakKiB: Int, cpu: Double)] = []
        var unexpectedExits: [String] = []
        var readySeconds: [Double] = []
        var kills = 0
        var restarting: Set<Int> = []              // killed on purpose, to be started again by kill()
    }

    let slots: [Slot]
    let binDir: String
    private let state = Mutex(State())
    private let logDir = ".local/logs"

    init(services: [ServiceEntry], replicas: Int, binDir: String) {
        slots = (0..<replicas).flatMap { r in services.map { Slot(service: $0, replica: r) } }
        self.binDir = binDir
    }

    func ports(of id: String) -> [Int] { slots.filter { $0.service.id == id }.map(\.port) }

    /// Starts every slot and waits until each is ready.
    func startAll() async throws {
        for slot in slots where await HTTP.ready(port: slot.port) || Self.listening(slot.port) {
            throw DriverError("port \(slot.port) is taken (a service still running? deploy/local/services.sh stop, or make stop)")
        }
        for index in slots.indices { try spawn(index) }
        for index in slots.indices { try await waitReady(index, timeout: 60) }
    }

    private func spawn(_ index: Int) throws {
        let slot = slots[index]
        var env = ProcessInfo.processInfo.environment
        env["AMQP_URL"] = "amqp://\(slot.service.id):bizops-dev@127.0.0.1:5672/bizops"
        env["DATABASE_URL"] = "postgresql://\(slot.service.id):bizops-dev@127.0.0.1:5432/bizops?sslmode=disable"
        env["AUTH_JWKS_FILE"] = ".local/auth/jwks.json"
        env["HTTP_PORT"] = "\(slot.port)"
        env["HTTP_HOST"] = "127.0.0.1"
        env["LOG_LEVEL"] = env["LOG_LEVEL"] ?? "warning"
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        let name = "\(slot.service.executable)#\(slot.replica)"
        // Registered before the child can exit: the reaper holds its lock while it spawns.
        let pid = try state.withLock { s -> pid_t in
            if let running = s.live[index] { throw DriverError("\(name) is running already (pid \(running.pid))") }
            let pid = try Child.spawn("\(binDir)/\(slot.service.executable)", [], environment: env,
                                      log: "\(logDir)/\(slot.service.executable)-\(slot.replica).log") { [weak self] child, code, signalled in
                self?.exited(index, pid: child, name: name, code: code, signalled: signalled)
            }
            s.live[index] = Incarnation(pid: pid)
            return pid
        }
        _ = pid
    }

    private func exited(_ index: Int, pid: pid_t, name: String, code: Int32, signalled: Bool) {
        state.withLock { s in
            guard let inc = s.live[index], inc.pid == pid else { return }
            s.finished.append((index, inc.peakKiB, inc.cpuSeconds))
            s.live[index] = nil
            if !inc.killed { s.unexpectedExits.append("\(name) (pid \(inc.pid)) \(signalled ? "died of signal" : "exited with status") \(code)") }
        }
    }

    private func waitReady(_ index: Int, timeout: Double, since start: ContinuousClock.Instant = .now) async throws {
        let port = slots[index].port
        let pid = state.withLock { $0.live[index]?.pid }
        while ContinuousClock.now - start < .seconds(timeout) {
            // Ready means this process answers: it is still the slot's, and the port says so.
            guard let pid, state.withLock({ $0.live[index]?.pid == pid }) else {
                throw DriverError("\(slots[index].service.executable)#\(slots[index].replica) exited while starting; see \(logDir)")
            }
            if await HTTP.ready(port: port) {
                let d = (ContinuousClock.now - start).components
                state.withLock { $0.readySeconds.append(Double(d.seconds) + Double(d.attoseconds) / 1e18) }
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DriverError("\(slots[index].service.executable)#\(slots[index].replica) not ready on port \(port) after \(Int(timeout)) s; see \(logDir)")
    }

    /// Whether something accepts connections on the port.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// SIGKILLs the slot's process (a planned kill) and starts it again after `pause`.
    func kill(_ index: Int, restartAfter pause: Duration) async throws {
        let pid: Int32? = state.withLock { s in
            guard var inc = s.live[index], !s.restarting.contains(index) else { return nil }
            s.restarting.insert(index)
            inc.killed = true
            s.live[index] = inc
            s.kills += 1
            return inc.pid
        }
        guard let pid else { return }
        sample()  // its last figures before it goes
        Foundation.kill(pid, SIGKILL)
        while state.withLock({ $0.live[index]?.pid == pid }) { try await Task.sleep(for: .milliseconds(10)) }
        try? await Task.sleep(for: pause)
        let started = ContinuousClock.now
        defer { state.withLock { _ = $0.restarting.remove(index) } }
        try spawn(index)
        try await waitReady(index, timeout: 60, since: started)
    }

    /// Starts any slot whose process is gone (after an unexpected exit).
    func reviveDead() async throws {
        let dead = slots.indices.filter { i in state.withLock { $0.live[i] == nil && !$0.restarting.contains(i) } }
        for index in dead { try spawn(index); try await waitReady(index, timeout: 60) }
    }

    /// Reads each live process's peak RSS (VmHWM) and CPU seconds (utime + stime).
    func sample() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pids = state.withLock { s in s.live.map { ($0.key, $0.value.pid) } }
        for (index, pid) in pids {
            var peak = 0, cpu = 0.0
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
                peak = Int(line.split(whereSeparator: \.isWhitespace)[1]) ?? 0
            }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")") {
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                // After the command: state is field 3, utime 14, stime 15 (1-based, man 5 proc).
                if fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) { cpu = (u + s) / ticks }
            }
            state.withLock { s in
                guard var inc = s.live[index], inc.pid == pid else { return }
                inc.peakKiB = max(inc.peakKiB, peak); inc.cpuSeconds = max(inc.cpuSeconds, cpu)
                s.live[index] = inc
            }
        }
    }

    struct Usage: Codable, Sendable { let service: String; let processes: Int; let peakRSSMiB: Double; let cpuSeconds: Double }

    /// Per service: the highest peak RSS of any of its processes and the CPU seconds of all of them.
    func usage() -> [Usage] {
        sample()
        return state.withLock { s in
            var rows: [(Int, Int, Double)] = s.finished.map { ($0.slot, $0.peakKiB, $0.cpu) }
            rows += s.live.map { ($0.key, $0.value.peakKiB, $0.value.cpuSeconds) }
            var seen: [String] = []
            for slot in slots where !seen.contains(slot.service.executable) { seen.append(slot.service.executable) }
            return seen.map { exe in
                let mine = rows.filter { slots[$0.0].service.executable == exe }
                return Usage(service: exe, processes: mine.count, peakRSSMiB: Double(mine.map(\.1).max() ?? 0) / 1024,
                             cpuSeconds: mine.map(\.2).reduce(0, +))
            }
        }
    }

    var unexpectedExits: [String] { state.withLock { $0.unexpectedExits } }
    var kills: Int { state.withLock { $0.kills } }
    var slowestReady: Double { state.withLock { $0.readySeconds.max() ?? 0 } }
    var readyTimes: [Double] { state.withLock { $0.readySeconds } }

    /// SIGTERM to every process at once, from a signal handler (the driver was interrupted).
    func terminateNow() {
        for pid in state.withLock({ s in s.live.values.map(\.pid) }) { Foundation.kill(pid, SIGTERM) }
    }

    /// SIGTERM to every process (graceful), SIGKILL after 15 s.
    func stopAll() async {
        let pids = state.withLock { s in
            for key in s.live.keys { s.live[key]!.killed = true }
            return s.live.values.map(\.pid)
        }
        for pid in pids { Foundation.kill(pid, SIGTERM) }
        for _ in 0..<150 where state.withLock({ !$0.live.isEmpty }) { try? await Task.sleep(for: .milliseconds(100)) }
        for pid in state.withLock({ $0.live.values.map(\.pid) }) { Foundation.kill(pid, SIGKILL) }
    }
}

struct DriverError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
