import CustomerServiceService
import ServiceKit

await ServiceMain.run(CustomerService.spec)
