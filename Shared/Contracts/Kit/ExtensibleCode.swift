/// A set of codes shared across services (outcomes, invoice kinds) that a newer producer may
/// extend. On the bus an unknown value decodes as `.unknown(raw)`, so a message from a newer
/// replica never becomes a dead letter on an older one; a value read from a service's own
/// database must be known (`known(_:)` throws), so a typo there fails loudly.
public protocol ExtensibleCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {
    static var known: [Self] { get }
    static func unknown(_ raw: String) -> Self
}

extension ExtensibleCode {
    /// The known value with this name, else `.unknown(raw)`: how values from the bus are read.
    public init(_ raw: String) { self = Self.known.first { $0.rawValue == raw } ?? .unknown(raw) }
    public init?(rawValue: String) { self.init(rawValue) }

    /// The known value with this name, or an error naming the value and what was expected.
    public static func known(_ raw: String) throws -> Self {
        guard let value = known.first(where: { $0.rawValue == raw }) else { throw UnknownCode(type: "\(Self.self)", value: raw) }
        return value
    }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A stored value no case matches: the data or the code is wrong, and must not be guessed at.
public struct UnknownCode: Error, CustomStringConvertible, Sendable {
    public let type: String, value: String
    public var description: String { "\"\(value)\" is not a known \(type)" }
}
