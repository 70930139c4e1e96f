import Foundation

/// A thread of its own for blocking C calls (libpq, rabbitmq-c), so they never occupy
/// Swift's cooperative pool. Jobs run one at a time, in order, on that thread.
public final class BlockingWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    public let name: String

    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    public func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the worker's thread and resumes the caller with its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Lets the thread end once its queued jobs are done.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }
}

/// A non-thread-safe resource (a libpq or rabbitmq-c connection) owned by one worker:
/// every access happens on the worker's thread, which is what makes it safe to share.
public final class Confined<Resource>: @unchecked Sendable {
    private var resource: Resource
    public let worker: BlockingWorker

    public init(_ resource: Resource, name: String) {
        self.resource = resource
        self.worker = BlockingWorker(name: name)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (inout Resource) throws -> T) async throws -> T {
        try await worker.run { try body(&self.resource) }
    }

    deinit { worker.stop() }
}
