/// Which roles may call which route of a service. Reads are open to the department's own roles
/// and to `operations`, `executive` and `auditor`; writes to the department's staff, managers and
/// director; a route may name its own roles instead, for reading or writing (e.g. a contract's
/// legal review is for `legal` alone, who also reads the contracts).
public struct AccessPolicy: Sendable {
    /// The department's name in role names: `<department>:staff`.
    public let department: String
    /// Roles for a route, keyed `"<METHOD> <path as registered>"`, e.g. `"POST /contracts/{contractNo}/legal-review"`.
    public let writes: [String: [String]]

    public init(department: String, writes: [String: [String]] = [:]) { self.department = department; self.writes = writes }

    public var departmentRoles: [String] { ["staff", "manager", "director"].map { "\(department):\($0)" } }

    /// Who reads what the department keeps.
    public var readers: [String] { departmentRoles + ["operations", "executive", "auditor"] }

    /// The kit's approval routes: the department's people and executive decide, delegate and set
    /// limits (who may set which limit, and decide which request, the approval book checks).
    static let approvalRoutes = ["/approvals/", "/authority-limits/", "/delegations"]

    /// The roles of which a caller needs one.
    public func roles(method: String, route: String) -> [String] {
        if let roles = writes["\(method) \(route)"] { return roles }
        if method == "GET" || method == "HEAD" { return readers }
        if Self.approvalRoutes.contains(where: route.hasPrefix) { return departmentRoles + ["executive"] }
        return departmentRoles
    }
}
