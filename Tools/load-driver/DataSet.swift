import Foundation

/// A small deterministic generator (SplitMix64), so a seed gives the same data set, orders and faults.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The run's own customers, SKUs and warehouses, made through the documented APIs by the demo
/// directory's people (deploy/demo/people.json): sales' director files customers and products,
/// risk's director sets credit, finance's director payment terms, logistics' director the
/// warehouses and its storekeeper the stock receipts.
struct DataSet: Sendable {
    let run: String
    let customers: [String]
    let skus: [String]
    let prices: [String: Int64]      // sku → unit price, minor units
    let warehouses: [String]

    init(run: String, options: RunOptions) {
        self.run = run
        customers = (1...options.customers).map { "LD-\(run)-C\($0)" }
        skus = (1...options.skus).map { "LD-\(run)-S\($0)" }
        var random = SeededRandom(seed: options.seed)
        prices = Dictionary(uniqueKeysWithValues: skus.map { ($0, Int64.random(in: 100...50_000, using: &random)) })
        warehouses = (1...options.warehouses).map { "LD\(run.prefix(4).uppercased())W\($0)" }
    }

    static let people = ["sales.dir", "risk.dir", "fin.dir", "log.dir", "store.xu", "zhou.ops"]

    func create(api: HTTP, ports: @escaping @Sendable (String) -> [Int], log: (String) -> Void) async throws {
        let start = ContinuousClock.now
        // Logistics prefers the warehouse of the lowest priority: earlier runs' warehouses step
        // back (10000) so this run's orders go to this run's stock.
        for w in try await api.all(ports: ports("logistics"), "/warehouses?limit=1000", as: "log.dir") {
            guard let code = w["code"] as? String, code.hasPrefix("LD"), !warehouses.contains(code),
                  (w["priority"] as? Int ?? 0) < 10_000 else { continue }
            _ = try await api.call("PUT", ports: ports("logistics"), "/warehouses/\(code)",
                                   body: ["name": w["name"] ?? code, "branch": w["branch"] ?? "Shanghai", "priority": 10_000], as: "log.dir")
        }
        for (i, code) in warehouses.enumerated() {
            _ = try await api.call("PUT", ports: ports("logistics"), "/warehouses/\(code)",
                                   body: ["name": "Load warehouse \(i + 1)", "branch": "Shanghai", "priority": i], as: "log.dir")
        }
        try await parallel(customers, width: 8) { n, code in
            _ = try await api.call("PUT", ports: ports("sales"), "/customers/\(code)",
                                   body: ["name": "Load \(run) customer \(n + 1)", "currency": "CNY", "city": "Shanghai"], as: "sales.dir")
            _ = try await api.call("PUT", ports: ports("risk"), "/customers/\(code)/credit",
                                   body: ["creditLimit": 4_000_000_000, "currency": "CNY", "rating": "A"], as: "risk.dir")  // within the director's credit.limit
            _ = try await api.call("PUT", ports: ports("finance"), "/customers/\(code)/terms",
                                   body: ["kind": "net", "netDays": 30], as: "fin.dir")
        }
        try await parallel(skus, width: 8) { _, sku in
            _ = try await api.call("PUT", ports: ports("sales"), "/products/\(sku)", body: [
                "name": "Load item \(sku)", "tiers": [["currency": "CNY", "minQuantity": 1, "unitPrice": prices[sku]!]]], as: "sales.dir")
            for warehouse in warehouses {
                _ = try await api.call("POST", ports: ports("logistics"), "/stock/receipts", body: [
                    "warehouse": warehouse, "sku": sku, "quantity": 10_000_000, "reference": "RCV-\(run)-\(warehouse)-\(sku)",
                    "purchaseOrder": "PO-\(run)-\(sku)"], as: "store.xu")
            }
        }
        let d = (ContinuousClock.now - start).components
        log("data set: \(customers.count) customers, \(skus.count) SKUs with stock in \(warehouses.count) warehouses, made in \(d.seconds) s through the APIs")
    }
}

/// Runs `body` over `items`, `width` at a time.
func parallel<T: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (Int, T) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (n, item) in items.enumerated() {
            if n >= width { try await group.next() }
            group.addTask { try await body(n, item) }
        }
        try await group.waitForAll()
    }
}
