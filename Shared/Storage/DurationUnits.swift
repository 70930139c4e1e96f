/// A `Duration` in the units metrics and span attributes take.
extension Duration {
    public var totalNanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    public var totalSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
