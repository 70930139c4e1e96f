import CustomerServiceDomain
import Foundation
import SalesDomain
import Testing

@Suite struct OrderStatusTests {
    @Test func theMainPathOnlyMovesForward() {
        let path: [OrderStatus] = [.placed, .accepted, .reserved, .dispatched, .delivered, .completed]
        for (from, to) in zip(path, path.dropFirst()) { #expect(from.allows(to), "\(from) → \(to)") }
        for (later, earlier) in zip(path.dropFirst(), path) { #expect(!later.allows(earlier), "stale \(earlier) after \(later)") }
        #expect(OrderStatus.accepted.allows(.backordered) && OrderStatus.backordered.allows(.reserved))
        #expect(!OrderStatus.reserved.allows(.backordered))
        #expect(OrderStatus.held.allows(.accepted) && !OrderStatus.accepted.allows(.held))
    }

    @Test func finalStatesStayFinal() {
        for final in [OrderStatus.completed, .rejected, .cancelled] {
            for next in OrderStatus.allCases { #expect(!final.allows(next), "\(final) → \(next)") }
        }
    }

    @Test func cancellingIsAllowedUntilDispatch() {
        #expect(OrderStatus.allCases.filter(\.canCancel) == [.placed, .held, .accepted, .backordered, .reserved])
        #expect(!OrderStatus.dispatched.allows(.cancelled) && OrderStatus.reserved.allows(.cancelled))
        #expect(OrderStatus.held.allows(.rejected) && !OrderStatus.accepted.allows(.rejected))
    }

    @Test func cancellingWaitsForTheWarehouseAndEndsCancelledOrShipped() {
        #expect(OrderStatus.allCases.filter(\.cancelNeedsWarehouse) == [.accepted, .backordered, .reserved])
        #expect(OrderStatus.reserved.allows(.cancelling) && !OrderStatus.held.allows(.cancelling))
        #expect(!OrderStatus.dispatched.allows(.cancelling))
        for next in OrderStatus.allCases {
            #expect(OrderStatus.cancelling.allows(next) == [.cancelled, .dispatched, .delivered].contains(next), "cancelling → \(next)")
        }
        #expect(!OrderStatus.cancelling.canCancel)
    }

    @Test func completedOnlyWhenDeliveredAndPaid() {
        #expect(OrderStatus.completes(status: .delivered, paid: true))
        #expect(!OrderStatus.completes(status: .delivered, paid: false))
        #expect(!OrderStatus.completes(status: .dispatched, paid: true))
    }
}

@Suite struct ComplaintPolicyTests {
    @Test func everyCategoryHasAnOwnerAndADeadline() {
        for category in ["delivery", "damaged", "quality", "billing", "service", "other"] {
            let c = ComplaintPolicy.commitment(category: category)
            #expect(c.hours > 0 && ["sales", "logistics", "finance", "customer_service"].contains(c.routedTo))
        }
        let opened = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(ComplaintPolicy.deadline(category: "damaged", openedAt: opened) == opened.addingTimeInterval(48 * 3600))
        #expect(ComplaintPolicy.commitment(category: "billing").routedTo == "finance")
    }

    @Test func returnsAskForNoMoreThanWasOrdered() {
        let ordered: [String: Int64] = ["A": 4, "B": 1]
        #expect(ComplaintPolicy.returnProblem(requested: [("A", 2), ("A", 2)], ordered: ordered) == nil)
        #expect(ComplaintPolicy.returnProblem(requested: [("A", 3), ("A", 2)], ordered: ordered) != nil)
        #expect(ComplaintPolicy.returnProblem(requested: [("C", 1)], ordered: ordered)?.contains("not on the order") == true)
        #expect(ComplaintPolicy.returnProblem(requested: [], ordered: ordered) != nil)
        // What earlier returns took back is no longer there to return.
        #expect(ComplaintPolicy.returnProblem(requested: [("B", 1)], ordered: ["B": 0])?.contains("already") == true)
    }
}
