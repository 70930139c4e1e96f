import Contracts

/// Finance's review of a contract draft's payment terms (合同评审): the contract may ask the
/// customer to pay sooner than the terms finance keeps for them (their class), never later.
/// Customers without terms on file are on the standard net 30.
public enum ContractPaymentReview {
    /// Approved when the asked terms are no looser than the customer's: prepaid fits every class;
    /// a deposit fits a deposit class with at least its percentage and at most its days, or a
    /// net class with at most its days; net fits only a net class with at most its days.
    public static func review(_ asked: AgreedPaymentTerms, customer: PaymentTerms) -> (approved: Bool, remarks: String) {
        guard let terms = PaymentTerms(kind: asked.kind, depositPercent: asked.depositPercent ?? 0, netDays: Int(asked.netDays ?? 0)) else {
            return (false, "\(asked.kind) with these figures are not payment terms finance can invoice")
        }
        let fits: Bool
        switch (terms, customer) {
        case (.prepaid, _): fits = true
        case (.deposit(let p, let d), .deposit(let classPercent, let classDays)): fits = p >= classPercent && d <= classDays
        case (.deposit(_, let d), .net(let classDays)), (.net(let d), .net(let classDays)): fits = d <= classDays
        default: fits = false
        }
        return fits ? (true, "\(describe(terms)) is within the customer's terms on file (\(describe(customer)))")
                    : (false, "\(describe(terms)) is looser than the customer's terms on file (\(describe(customer)))")
    }

    public static func describe(_ terms: PaymentTerms) -> String {
        switch terms {
        case .prepaid: "prepaid"
        case .deposit(let percent, let days): "\(percent) % deposit, the rest net \(days) days"
        case .net(let days): "net \(days) days"
        }
    }
}
