import RiskService
import ServiceKit

await ServiceMain.run(Risk.spec)
