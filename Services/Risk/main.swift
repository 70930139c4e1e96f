import ServiceKit

await ServiceMain.run(RiskService.spec)
