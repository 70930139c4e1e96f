import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Child processes the driver starts (services, infra.sh, bizctl, kit-bench), spawned with
/// posix_spawn and reaped by one thread of its own: a wait never holds one of Swift's
/// cooperative threads (there are two on this machine), and every exit is seen, with its cause.
enum Child {
    /// Starts `path` with `arguments`; its stdout and stderr go to `log` (appended), or to /dev/null.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String], log: String? = nil,
                      onExit: @escaping @Sendable (pid_t, Int32, _ signalled: Bool) -> Void) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // The driver ignores SIGINT and SIGTERM (its own handler stops the fleet); its children
        // start with the default actions and no blocked signals, so they stop when told.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults); sigemptyset(&none)
        for sig in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let status = Reaper.shared.lock.withLock { _ -> Int32 in
            let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            if rc == 0 { Reaper.shared.handlers[pid] = onExit }
            return rc
        }
        guard status == 0 else { throw DriverError("cannot start \(path): \(String(cString: strerror(status)))") }
        Reaper.shared.start()
        return pid
    }

    /// Runs to the end; the exit status (128 + the signal when killed).
    static func run(_ path: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                    log: String? = nil) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            do {
                _ = try spawn(path, arguments, environment: environment, log: log) { _, code, signalled in
                    continuation.resume(returning: signalled ? 128 + code : code)
                }
            } catch { continuation.resume(throwing: error) }
        }
    }
}

/// The one thread that waits for the driver's children.
final class Reaper: @unchecked Sendable {
    static let shared = Reaper()
    let lock = Mutex<Void>(())
    var handlers: [pid_t: @Sendable (pid_t, Int32, Bool) -> Void] = [:]   // guarded by lock
    private let started = Atomic<Bool>(false)

    func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, 0)
                if pid <= 0 { usleep(20_000); continue }  // no children just now
                let handler = lock.withLock { _ in handlers.removeValue(forKey: pid) }
                // WIFSIGNALED / WTERMSIG / WEXITSTATUS, spelled out (they are macros in C).
                let signal = status & 0x7F
                if signal != 0 { handler?(pid, signal, true) } else { handler?(pid, (status >> 8) & 0xFF, false) }
            }
        }
        thread.name = "load-driver reaper"
        thread.start()
    }
}
