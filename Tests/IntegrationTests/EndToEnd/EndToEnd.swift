import Testing

/// The whole path across the five real processes, on one system the suite starts once (see
/// `SharedSystemTrait`); each test isolates its data by its run tag. Tests that kill or restart
/// a service live outside it, on systems of their own.
@Suite(.serialized, .enabled(if: TestServers.enabled), .sharedSystem) struct EndToEnd {}
