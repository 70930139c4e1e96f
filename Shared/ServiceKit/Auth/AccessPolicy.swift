/// Which roles may call which route of a service. Reads are open to the department's own roles
/// and to `operations`, `executive` and `auditor`; writes to the department's staff, managers and
/// director unless the route names its own roles (e.g. only a manager releases a credit hold).
public struct AccessPolicy: Sendable {
    /// The department's name in role names: `<department>:staff`.
    public let department: String
    /// Roles for a write route, keyed `"<METHOD> <path as registered>"`, e.g. `"POST /customers/{code}/release-hold"`.
    public let writes: [String: [String]]

    public init(department: String, writes: [String: [String]] = [:]) { self.department = department; self.writes = writes }

    public var departmentRoles: [String] { ["staff", "manager", "director"].map { "\(department):\($0)" } }

    /// The kit's approval routes: the department's people and executive decide, delegate and set
    /// limits (who may set which limit, and decide which request, the approval book checks).
    static let approvalRoutes = ["/approvals/", "/authority-limits/", "/delegations"]

    /// The roles of which a caller needs one.
    public func roles(method: String, route: String) -> [String] {
        if method == "GET" || method == "HEAD" { return departmentRoles + ["operations", "executive", "auditor"] }
        if let roles = writes["\(method) \(route)"] { return roles }
        if Self.approvalRoutes.contains(where: route.hasPrefix) { return departmentRoles + ["executive"] }
        return departmentRoles
    }
}
