import FinanceService
import ServiceKit

await ServiceMain.run(Finance.spec)
