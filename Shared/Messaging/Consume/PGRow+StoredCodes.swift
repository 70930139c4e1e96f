import Contracts
import Storage

extension PGRow {
    /// A stored code of a set that keeps unknown values on the bus (`ExtensibleCode`): from the
    /// service's own database only a known value will do.
    public func code<T: ExtensibleCode>(_ column: String, as type: T.Type) throws -> T {
        try T.known(try string(column))
    }
}
