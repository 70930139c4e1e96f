import LogisticsService
import ServiceKit

await ServiceMain.run(Logistics.spec)
