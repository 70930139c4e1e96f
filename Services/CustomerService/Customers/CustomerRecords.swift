import Contracts
import CustomerServiceDomain
import Foundation
import Messaging
import Storage

/// What the desk knows of a customer: the file sales keeps, and the orders it accepted.
enum CustomerRecords {
    /// The customer's file as sales keeps it: the desk shows whom it speaks to (name, key account, contacts).
    static func customerChanged(_ file: CustomerChanged, _ work: UnitOfWork) throws {
        if try !CaseStore(tx: work.transaction).keepCustomer(file) {
            work.logger.debug("customer file not newer than the copy", metadata: ["customer": "\(file.customerCode)", "version": "\(file.version)"])
        }
    }

    static func orderAccepted(_ order: OrderAccepted, _ work: UnitOfWork) throws {
        try CaseStore(tx: work.transaction).rememberOrder(order)
    }
}
