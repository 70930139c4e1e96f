import SalesService
import ServiceKit

await ServiceMain.run(Sales.spec)
