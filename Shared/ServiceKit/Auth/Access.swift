/// Who may call a route, declared where the route is registered (`Routes`): one of the roles it
/// names, the department's by name (`sales:staff`) or the company's (`operations`, `legal`).
public struct Access: Sendable {
    private let resolve: @Sendable (_ department: String) -> [String]

    public init(_ resolve: @escaping @Sendable (_ department: String) -> [String]) { self.resolve = resolve }

    /// The roles of which a caller needs one, in this department.
    public func roles(in department: String) -> [String] { resolve(department) }

    /// The department's staff, managers and director: who writes what the department keeps.
    public static let staff = Access { department in ["staff", "manager", "director"].map { "\(department):\($0)" } }
    /// The department's people and those who see every department: `operations`, `executive` and
    /// `auditor` (who read everything, and write only where a route names them).
    public static let readers = Access { staff.roles(in: $0) + ["operations", "executive", "auditor"] }
    /// The department's managers and director (a price, a warehouse, a customer's terms).
    public static let managers = Access { department in ["manager", "director"].map { "\(department):\($0)" } }
    /// Decisions under authority limits: the department's people and `executive` (who may set which
    /// limit and decide which request, the approval book checks).
    public static let deciders = Access { staff.roles(in: $0) + ["executive"] }
    /// Exactly these roles, whatever the department.
    public static func only(_ roles: String...) -> Access { Access { _ in roles } }

    /// These roles and some more (`.readers.plus("legal")`).
    public func plus(_ more: String...) -> Access { Access { department in roles(in: department) + more } }
}
