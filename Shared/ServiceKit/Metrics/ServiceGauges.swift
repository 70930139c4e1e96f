import Foundation
import Logging
import Messaging
import Metrics
import ServiceLifecycle
import Storage

/// The gauges nobody increments: the process's memory, CPU and open files (from /proc), and
/// the outbox backlog, its oldest row's age and the inbox's size (from the service's schema),
/// sampled every few seconds until the service shuts down.
struct ServiceGauges: Service {
    let pool: PostgresPool
    let service: String
    let business: BusinessGauges?
    let logger: Logger
    let ready: @Sendable () async -> Bool
    var interval: Duration = .seconds(5)

    func run() async throws {
        let memory = Gauge(label: "bizops_process_resident_memory_bytes", dimensions: [("service", service)])
        let cpu = Gauge(label: "bizops_process_cpu_seconds_total", dimensions: [("service", service)])
        let files = Gauge(label: "bizops_process_open_fds", dimensions: [("service", service)])
        let started = Gauge(label: "bizops_process_start_time_seconds", dimensions: [("service", service)])
        let backlog = Gauge(label: "bizops_outbox_backlog", dimensions: [("service", service)])
        let oldest = Gauge(label: "bizops_outbox_oldest_age_seconds", dimensions: [("service", service)])
        let inbox = Gauge(label: "bizops_inbox_rows", dimensions: [("service", service)])
        let readyGauge = Gauge(label: "bizops_ready", dimensions: [("service", service)])
        started.record(Date().timeIntervalSince1970 - ProcessSample.uptime())
        var tick = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            readyGauge.record(await ready() ? 1 : 0)
            if let sample = ProcessSample.read() {
                memory.record(Double(sample.residentBytes)); cpu.record(sample.cpuSeconds); files.record(Double(sample.openFiles))
            }
            if tick % 3 == 0 {
                do {
                    let (waiting, inboxRows) = try await pool.run { conn in (try OutboxStore(conn).backlog(), try InboxStore(conn).estimatedRows()) }
                    backlog.record(Double(waiting.unsent)); oldest.record(waiting.oldestSeconds ?? 0); inbox.record(Double(inboxRows))
                } catch { logger.debug("cannot sample the outbox", metadata: ["error": "\(error)"]) }
                if let business {
                    do {
                        for reading in try await pool.transaction(business) {
                            Gauge(label: reading.name, dimensions: [("service", service)] + reading.labels).record(reading.value)
                        }
                    } catch { logger.debug("cannot sample the business gauges", metadata: ["error": "\(error)"]) }
                }
            }
            tick += 1
            await pause(Double(interval.components.seconds))  // wakes at once on graceful shutdown
        }
    }
}

/// This process as /proc tells it.
enum ProcessSample {
    struct Sample { let residentBytes: Int; let cpuSeconds: Double; let openFiles: Int }

    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func read() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is field 3; utime 14, stime 15, rss 24 (1-based).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]), let rss = Int(fields[21]) else { return nil }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return Sample(residentBytes: rss * Int(sysconf(Int32(_SC_PAGESIZE))), cpuSeconds: (utime + stime) / ticks, openFiles: files)
    }

    /// Seconds since this process started (field 22, in clock ticks since boot).
    static func uptime() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")"),
              let upText = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let systemUp = Double(upText.split(separator: " ").first ?? "") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let startTicks = Double(fields[19]) else { return 0 }
        return max(0, systemUp - startTicks / ticks)
    }
}

/// One reading of a gauge of a service's business state (e.g. orders by status), read from its
/// schema every 15 seconds (`service` is added to the labels).
public struct GaugeReading: Sendable {
    public let name: String
    public let labels: [(String, String)]
    public let value: Double

    public init(_ name: String, _ labels: [(String, String)], _ value: Int64) {
        self.name = name; self.labels = labels; self.value = Double(value)
    }

    public init(_ name: String, _ value: Int64) { self.init(name, [], value) }

    /// Counts by one label, every value in `values` reported (0 included, so an alert on one also clears).
    public static func counts(_ name: String, label: String, values: [String], _ counts: [String: Int64]) -> [GaugeReading] {
        values.map { GaugeReading(name, [(label, $0)], counts[$0] ?? 0) }
    }
}

/// How a service reads its business gauges: one transaction, each query once, every reading.
public typealias BusinessGauges = @Sendable (Transaction) throws -> [GaugeReading]
