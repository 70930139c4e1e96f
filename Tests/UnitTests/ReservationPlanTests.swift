import Contracts
import LogisticsDomain
import Testing

@Suite struct ReservationPlanTests {
    let warehouses = ["SH", "GZ"]

    @Test func theFirstWarehouseThatHasEverythingServesTheOrder() {
        let plan = ReservationPlan.make(lines: [ItemQuantity(sku: "A", quantity: 5)], warehouses: warehouses,
                                        available: ["SH": ["A": 2], "GZ": ["A": 9]])
        #expect(plan == ReservationPlan(warehouse: "GZ", reserve: [ItemQuantity(sku: "A", quantity: 5)], missing: []))
    }

    @Test func withNoWarehouseCompleteTheOneWithMostReservesAndBackordersTheRest() {
        let plan = ReservationPlan.make(lines: [ItemQuantity(sku: "A", quantity: 5), ItemQuantity(sku: "B", quantity: 3)],
                                        warehouses: warehouses, available: ["SH": ["A": 1, "B": 3], "GZ": ["A": 5]])
        #expect(plan?.warehouse == "GZ")
        #expect(plan?.reserve == [ItemQuantity(sku: "A", quantity: 5)])
        #expect(plan?.missing == [ItemQuantity(sku: "B", quantity: 3)])
        #expect(plan?.isComplete == false)
    }

    @Test func linesOfTheSameSkuAreAddedAndTiesGoToThePreferredWarehouse() {
        let plan = ReservationPlan.make(lines: [ItemQuantity(sku: "A", quantity: 2), ItemQuantity(sku: "A", quantity: 2)],
                                        warehouses: warehouses, available: ["SH": ["A": 3], "GZ": ["A": 3]])
        #expect(plan == ReservationPlan(warehouse: "SH", reserve: [ItemQuantity(sku: "A", quantity: 3)],
                                        missing: [ItemQuantity(sku: "A", quantity: 1)]))
    }

    @Test func nothingInStockBackordersAllAndNoWarehouseMeansNoPlan() {
        let plan = ReservationPlan.make(lines: [ItemQuantity(sku: "A", quantity: 2)], warehouses: warehouses, available: [:])
        #expect(plan?.reserve == [] && plan?.missing == [ItemQuantity(sku: "A", quantity: 2)] && plan?.warehouse == "SH")
        #expect(ReservationPlan.make(lines: [ItemQuantity(sku: "A", quantity: 2)], warehouses: [], available: [:]) == nil)
        // Negative availability (never expected) counts as none.
        let odd = ReservationPlan.make(lines: [ItemQuantity(sku: "A", quantity: 2)], warehouses: ["SH"], available: ["SH": ["A": -4]])
        #expect(odd?.missing == [ItemQuantity(sku: "A", quantity: 2)])
    }

    @Test func receiptsFillBackordersOldestFirstAndNeverMoreThanArrived() {
        let fills = BackorderFill.allocate(received: 7, waiting: [("O1", 3), ("O2", 0), ("O3", 5), ("O4", 2)])
        #expect(fills.map(\.order) == ["O1", "O3"] && fills.map(\.quantity) == [3, 4])
        #expect(BackorderFill.allocate(received: 0, waiting: [("O1", 3)]).isEmpty)
    }
}
