import Contracts
import Messaging

/// Every change of a customer file is told on the bus as the whole file under its next version
/// (`sales.customer.changed`), so the departments that need a customer's name, class or contacts
/// keep a copy from it instead of a second file.
enum CustomerFiles {
    static func changed(_ code: String, _ work: UnitOfWork) throws {
        guard let file = try CustomerFileStore(tx: work.transaction).nextVersion(code) else { return }
        try work.publish(file, correlationId: code)
    }
}
