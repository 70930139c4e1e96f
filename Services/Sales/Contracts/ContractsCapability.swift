import Contracts
import Messaging
import ServiceKit

/// Contracts (合同): a draft's revisions from an accepted quote, the reviews of finance,
/// logistics, risk and legal, and the signature under authority limits.
struct ContractsCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(FinanceContractReviewed.self, ContractDesk.reviewed)
        handlers.on(LogisticsContractReviewed.self, ContractDesk.reviewed)
        handlers.on(RiskContractReviewed.self, ContractDesk.reviewed)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { ContractRoutes(env: env).add(to: routes) }

    /// A signature beyond the signer's limit, once approved: the contract is signed.
    var approvalOutcomes: [ApprovalOutcome] {
        [ApprovalOutcome(SalesApprovals.contractSign, approved: { request, decision, work in
            try ContractDesk.signatureApproved(request, decision, work)
        })]
    }
}
