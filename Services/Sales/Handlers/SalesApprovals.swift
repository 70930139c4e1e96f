import Contracts
import Foundation
import Messaging
import ServiceKit

/// What sales puts under authority limits: a price a person types below the price an order
/// line would have (the discount, in hundredths of a percent). Orders from outside systems
/// follow the customer's contract instead (`allowsPriceOverride`); an approved discount carries
/// forward to the invoice, which takes the order's prices without asking again.
enum SalesApprovals {
    static let discount = "order.discount"

    static let book = ApprovalBook(department: "sales", actions: [
        ApprovalAction(discount, "a price below the list", unit: .percent,
                       defaults: [.staff: 500, .manager: 1_500, .director: 3_000]) { request, _, work in
            try OrderIntake.place(try request.decode(PlaceOrder.self), typedPricesAuthorised: true, work)
        },
    ], requested: SalesApprovalRequested.self, decided: SalesApprovalDecided.self)
}
