import ArgumentParser
import Foundation

/// The load driver: plays the outside systems (web shop, warehouse, driver app, bank feed) on
/// the public contract against services it starts itself, measures, then checks the books.
/// `bench` measures throughput and latency beside the machine's own ceilings; `chaos` does the
/// same while killing services, restarting the broker and the database and sending hostile
/// messages, and fails on any order lost or effect doubled. See docs/benchmarks.md.
@main
struct LoadDriver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-driver",
        abstract: "Drive orders through the running system as its outside systems would, and check the books.",
        subcommands: [Bench.self, Chaos.self, Clean.self])
}

struct Clean: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take the hostile dead letters of every fault run (tagged x-load-hostile) out of the services' dead-letter queues; nothing else is touched.")

    func run() async throws {
        let removed = try await DeadLetterCapture.cleanAll()
        for (queue, n) in removed.sorted(by: { $0.key < $1.key }) { print("\(queue): \(n) hostile dead letters removed") }
        if removed.isEmpty { print("no dead letters to look at") }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Throughput and latency, with the same run's ceilings of the broker and the database (make bench).")

    @OptionGroup var options: RunOptions

    func run() async throws {
        let status = try await Run(options: options, faults: nil).execute()
        if status != 0 { throw ExitCode(status) }
    }
}

struct Chaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The same load with faults injected: SIGKILLs, a broker and a database restart, hostile messages (make chaos).")

    @OptionGroup var options: RunOptions
    @OptionGroup var faults: FaultOptions

    func run() async throws {
        let status = try await Run(options: options, faults: faults).execute()
        if status != 0 { throw ExitCode(status) }
    }
}

struct RunOptions: ParsableArguments {
    @Option(help: "Open loop: orders placed per second. Without it, closed loop: --in-flight orders at a time, as fast as they complete.")
    var rate: Double?

    @Option(help: "Closed loop: how many orders are in flight at once.")
    var inFlight: Int = 400

    @Option(help: "Place orders for this many seconds after the warm-up.")
    var duration: Double?

    @Option(help: "Place this many orders in all, the warm-up's included; with --duration, whichever comes first.")
    var orders: Int?

    @Option(help: "Seconds of load before measuring; orders placed then are driven but not counted.")
    var warmup: Double = 5

    @Option(help: "The seed of the data set, the orders and the faults.")
    var seed: UInt64 = 1

    @Option(help: "Copies of every service.")
    var replicas: Int = 1

    @Option(help: "Customers, SKUs and warehouses of the data set.")
    var customers: Int = 40
    @Option var skus: Int = 60
    @Option var warehouses: Int = 3

    @Option(help: "Seconds without an answer before a command is sent again (same message_id).")
    var resendAfter: Double = 45

    @Option(help: "Seconds to wait, after the last order was placed, for every order to finish.")
    var drainTimeout: Double = 180

    @Option(help: "Where the services' executables are.")
    var binDir: String = ".build/release"

    @Option(help: "The folder the results go to (a file of JSON and one of Markdown per run).")
    var results: String = "bench-results"

    @Flag(help: "Skip the ceilings (kit-bench) measured before the load.")
    var noCeilings = false

    @Option(help: "Messages per ceiling loop (kit-bench's BENCH_MESSAGES).")
    var ceilingMessages: Int = 10_000

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    func validate() throws {
        if let rate, !(rate > 0 && rate <= 10_000) { throw ValidationError("--rate must be above 0 and at most 10000") }
        guard duration != nil || orders != nil else { throw ValidationError("give --duration, --orders or both") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be above 0") }
        if let orders, orders < 1 { throw ValidationError("--orders must be at least 1") }
        guard (1...10_000).contains(inFlight) else { throw ValidationError("--in-flight must be 1 to 10000") }
        guard (1...4).contains(replicas) else { throw ValidationError("--replicas must be 1 to 4") }
        guard warmup >= 0, customers >= 1, skus >= 1, warehouses >= 1 else { throw ValidationError("--warmup, --customers, --skus and --warehouses must be positive") }
    }
}

struct FaultOptions: ParsableArguments {
    @Option(help: "Seconds between SIGKILLs of a random service process (0: none).")
    var killEvery: Double = 4

    @Option(help: "Hostile messages per second, sent alongside the orders (0: none).")
    var hostileRate: Double = 20

    @Flag(help: "Leave the run's hostile dead letters in the services' dead-letter queues (by default they are taken out after the tally).")
    var keepDeadLetters = false

    @Flag(help: "Do not restart RabbitMQ during the run.")
    var noBrokerRestart = false

    @Flag(help: "Do not restart PostgreSQL during the run.")
    var noDatabaseRestart = false
}
