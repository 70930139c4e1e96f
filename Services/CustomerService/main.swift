import ServiceKit

await ServiceMain.run(CustomerServiceService.spec)
