import ServiceKit

await ServiceMain.run(SalesService.spec)
