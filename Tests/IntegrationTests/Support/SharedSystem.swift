import Testing

/// One running system for a whole suite: its tests stop nothing, isolate their data by their
/// run tag, and so need not pay five starts and stops each. The system stops (each service must
/// exit 0) when the suite ends.
struct SharedSystemTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let system = try await Bizops.start()
        do {
            try await Bizops.$shared.withValue(system) { try await function() }
        } catch {
            await system.stop()
            throw error
        }
        await system.stop()
    }
}

extension Trait where Self == SharedSystemTrait {
    /// Runs the suite's tests on one system started for the suite.
    static var sharedSystem: Self { Self() }
}
