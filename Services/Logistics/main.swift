import ServiceKit

await ServiceMain.run(LogisticsService.spec)
