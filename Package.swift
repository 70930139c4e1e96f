// swift-tools-version:6.2
import Foundation
import PackageDescription

/// One row of deploy/services.txt, the one list of what bizops runs (see its header).
struct Listed {
    let name: String, kind: String
    /// A department's folder under Services/ and its modules' stem: the name in CamelCase.
    var module: String { name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() }
}

let listed: [Listed] = {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("deploy/services.txt")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else { fatalError("cannot read \(file.path)") }
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
        let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
        return fields.count == 4 ? Listed(name: fields[0], kind: fields[3]) : nil
    }
}()
let departments = listed.filter { $0.kind == "department" }
let tools = listed.filter { $0.kind == "tool" }
/// Every department's service library (the tools and tests that host or provision them all).
let departmentServices: [Target.Dependency] = departments.map { .target(name: "\($0.module)Service") }
let departmentDomains: [Target.Dependency] = departments.map { .target(name: "\($0.module)Domain") }

let serviceKitDeps: [Target.Dependency] = [
    "ServiceKit", "Messaging", "Storage", "Contracts",
]

/// One department: its pure rules (`<Name>Domain`), its service library (`<Name>Service`: store,
/// handlers, API and their wiring, which tests host in-process) and a one-line executable.
func department(_ product: String, _ folder: String, module: String) -> [Target] {
    [
        .target(name: "\(module)Domain", dependencies: ["Contracts"], path: "Services/\(folder)/Domain"),
        .target(name: "\(module)Service", dependencies: serviceKitDeps + [.target(name: "\(module)Domain")],
                path: "Services/\(folder)", exclude: ["Domain", "main.swift"]),
        .executableTarget(name: product, dependencies: [.target(name: "\(module)Service"), "ServiceKit"],
                          path: "Services/\(folder)", sources: ["main.swift"]),
    ]
}

let package = Package(
    name: "bizops",
    platforms: [.macOS(.v15)],
    products: (departments + tools).map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP export of spans, over HTTP only: the gRPC trait would add minutes to every cold build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .systemLibrary(name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq",
                       providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .target(name: "Storage", dependencies: [
            "CLibPQ", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
        ], path: "Shared/Storage"),
        .target(name: "Contracts", dependencies: [], path: "Shared/Contracts", exclude: ["Kit/reason-codes.yaml"]),
        .target(name: "Messaging", dependencies: [
            "CRabbitMQ", "Storage", "Contracts",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
        ], path: "Shared/Messaging"),
        .target(name: "ServiceKit", dependencies: [
            "Messaging", "Storage", "Contracts",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "OTel", package: "swift-otel"),
        ], path: "Shared/ServiceKit"),
        // Each department: Domain (pure rules, no I/O, tested exhaustively), the service library, the executable.
    ] + departments.flatMap { department($0.name, $0.module, module: $0.module) } + [
        // Every department's spec, in the list's order (Services/Departments.swift, generated from the list).
        .target(name: "Departments", dependencies: ["ServiceKit"] + departmentServices, path: "Services",
                exclude: departments.map(\.module), sources: ["Departments.swift"]),
        // The operators' and integrators' command line (Tools/bizctl).
        .executableTarget(name: "bizctl", dependencies: [
            "Messaging", "Storage", "ServiceKit", "Departments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tools/bizctl"),
        // A small real process the integration tests start, kill and restart.
        .executableTarget(name: "kit-probe", dependencies: serviceKitDeps, path: "Tests/KitProbe"),
        // Prints throughput and latency of the kit beside bare rabbitmq-c / libpq loops.
        .executableTarget(name: "kit-bench", dependencies: [
            "Messaging", "Storage", "Contracts", "CRabbitMQ", "CLibPQ",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ], path: "Tests/KitBench"),
        // Plays the outside systems against the running services: make bench, make chaos (docs/benchmarks.md).
        .executableTarget(name: "load-driver", dependencies: [
            "Messaging", "ServiceKit", "Contracts", .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tools/load-driver"),
        .testTarget(name: "UnitTests", dependencies: ["Storage", "Messaging", "Contracts", "ServiceKit"] + departmentDomains,
                    path: "Tests/UnitTests"),
        // Against the real servers: the kit, the departments in-process (handlers and routes), and
        // the five real processes end to end.
        .testTarget(name: "IntegrationTests", dependencies: [
            "Storage", "Messaging", "Contracts", "ServiceKit", "Departments",
        ] + departmentServices + departmentDomains + [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "JWTKit", package: "jwt-kit"),  // tokens no issuer of ours would make
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),  // graceful shutdown, triggered by the test
        ], path: "Tests/IntegrationTests"),
    ],
    swiftLanguageModes: [.v6]
)
