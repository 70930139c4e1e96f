import Foundation

/// Maps a message type to its decoder. Decoding is strict: the body must be a JSON object
/// and every required field present with the right type; errors name the field path.
/// Unknown extra fields are accepted, so producers can add optional fields safely.
public struct ContractRegistry: Sendable {
    private var decoders: [String: @Sendable (Data) throws -> any MessageContract] = [:]

    public init() {}

    public mutating func register<T: MessageContract>(_ type: T.Type) {
        decoders[T.messageType] = { data in try ContractRegistry.decodeStrict(T.self, from: data) }
    }

    public var types: [String] { decoders.keys.sorted() }

    public func knows(_ type: String) -> Bool { decoders[type] != nil }

    public func decode(type: String, body: Data) throws -> any MessageContract {
        guard let decoder = decoders[type] else {
            throw ContractError(.unknownType, "no contract for message type \"\(type)\"")
        }
        return try decoder(body)
    }

    public static func decodeStrict<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) } catch {
            throw ContractError(.malformedJSON, "body is not valid JSON")
        }
        guard json is [String: Any] else {
            throw ContractError(.malformedJSON, "body must be a JSON object")
        }
        do {
            return try JSONDecoder.contracts.decode(T.self, from: body)
        } catch let error as DecodingError {
            // Foundation reports a fraction (or a too-large number) in an integer field as
            // corrupt data with no path; numbers on the bus are whole, so find it ourselves.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let path = firstNonIntegerNumber(in: json, path: "") {
                throw ContractError(.invalidField, "\(path): expected a whole number")
            }
            throw ContractError(.invalidField, describe(error))
        } catch let error as ContractError {
            throw error
        } catch {
            throw ContractError(.invalidField, "\(error)")
        }
    }

    static func firstNonIntegerNumber(in value: Any, path: String) -> String? {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                if let found = firstNonIntegerNumber(in: object[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        } else if let array = value as? [Any] {
            for (index, item) in array.enumerated() {
                if let found = firstNonIntegerNumber(in: item, path: "\(path)[\(index)]") { return found }
            }
        } else if let number = value as? NSNumber, !(value is Bool) {
            let double = number.doubleValue
            if double.rounded() != double || abs(double) >= 9.2e18 { return path }
        }
        return nil
    }

    /// `lines[0].quantity` from a coding path: how errors name a field.
    static func fieldPath(_ keys: [CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    /// `lines[0].quantity: expected Int64, found a string` and the like.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String { fieldPath(keys).isEmpty ? "(body)" : fieldPath(keys) }
        switch error {
        case let .keyNotFound(key, context):
            return "\(path(context.codingPath + [key])): required field is missing"
        case let .valueNotFound(type, context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case let .typeMismatch(type, context):
            return "\(path(context.codingPath)): expected \(type)"
        case let .dataCorrupted(context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

extension JSONDecoder {
    /// Dates on the bus are ISO 8601 in UTC.
    public static var contracts: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension JSONEncoder {
    public static var contracts: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
