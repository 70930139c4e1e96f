import ServiceKit

await ServiceMain.run(FinanceService.spec)
