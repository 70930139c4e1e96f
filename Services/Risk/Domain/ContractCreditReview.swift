/// Risk's review of a contract draft (合同评审): can the customer carry what the contract commits
/// them to? Risk keeps deciding credit limits itself; the contract only has to fit the limit.
public enum ContractCreditReview {
    /// Rejected without a credit profile, for a customer on hold or rated D, or when the expected
    /// exposure (today's open receivables and orders plus the contract's whole value) is beyond the limit.
    public static func review(profile: CreditProfile?, exposure: Int64, value: Int64) -> (approved: Bool, remarks: String) {
        guard let profile else { return (false, "no credit profile: risk has not assessed this customer") }
        if profile.onHold { return (false, "the customer is on credit hold") }
        if profile.rating == .d { return (false, "the customer is rated D: no new commitments") }
        let (expected, overflow) = exposure.addingReportingOverflow(value)
        if overflow || expected > profile.creditLimit {
            return (false, "expected exposure \(overflow ? "beyond any amount" : String(expected)) (open \(exposure) + contract \(value)) is beyond the credit limit \(profile.creditLimit)")
        }
        return (true, "expected exposure \(expected) (open \(exposure) + contract \(value)) within the credit limit \(profile.creditLimit), rating \(profile.rating.rawValue)")
    }
}
