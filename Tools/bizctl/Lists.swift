import ArgumentParser
import Foundation

/// `bizctl refusals`: what the services refused (valid commands and requests the business state
/// did not allow), newest last, across the services.
struct Refusals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the latest refusals of every service (GET /refusals), with their reasons.")
    @OptionGroup var status: StatusOptions
    @OptionGroup var signIn: SignInOptions
    @Option(name: .customLong("only"), help: "Only these services (repeatable).") var only: [String] = []
    @Option(help: "Only this reason code, e.g. awaiting-payment.") var reason: String?
    @Option(help: "Only those about this correlation id (an order reference).") var correlationId: String?
    @Option(help: "How many of the latest to show.") var limit: Int = 20
    @Flag(help: "Print JSON for machines.") var json = false

    struct Row: Encodable { let service: String; let refusedAt: String; let messageType: String; let reasonCode: String; let message: String; let correlationId: String?; let actor: String? }

    func run() async throws {
        let reader = ServiceReader(bases: try status.serviceBases(), bearer: try await signIn.bearer())
        var filter = "/refusals?limit=1000"
        if let reason { filter += "&reason=\(query(reason))" }
        if let correlationId { filter += "&correlationId=\(query(correlationId))" }
        var rows: [Row] = []
        for service in Provision.specs.map(\.id) where only.isEmpty || only.contains(service) {
            for r in try await reader.all(service, filter) {
                rows.append(Row(service: service, refusedAt: r["refusedAt"] as? String ?? "", messageType: r["messageType"] as? String ?? "-",
                                reasonCode: r["reasonCode"] as? String ?? "-", message: r["message"] as? String ?? "",
                                correlationId: r["correlationId"] as? String, actor: r["actor"] as? String))
            }
        }
        rows = Array(rows.sorted { $0.refusedAt < $1.refusedAt }.suffix(limit))
        if json { print(try Terminal.json(rows)); return }
        print(Terminal.table(["when", "service", "type", "reason", "correlation", "who", "message"], rows.map {
            [$0.refusedAt, $0.service, $0.messageType, $0.reasonCode, $0.correlationId ?? "-", $0.actor ?? "-", String($0.message.prefix(80))]
        }))
    }
}

/// `bizctl approvals`: approval requests across the services, pending by default.
struct Approvals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show approval requests across the services (GET /approvals), pending by default.")
    @OptionGroup var status: StatusOptions
    @OptionGroup var signIn: SignInOptions
    @Option(name: .customLong("state"), help: "pending, approved, rejected or superseded.") var state: String = "pending"
    @Flag(help: "Only what the signed-in person may decide now (in person or standing in).") var mine = false
    @Flag(help: "Print JSON for machines.") var json = false

    func validate() throws {
        guard ["pending", "approved", "rejected", "superseded"].contains(state) else { throw ValidationError("--state: pending, approved, rejected or superseded") }
    }

    struct Row: Encodable { let service: String; let id: String; let action: String; let subject: String; let amount: Int; let unit: String; let requestedBy: String; let requestedAt: String; let approverRole: String; let status: String }

    func run() async throws {
        let reader = ServiceReader(bases: try status.serviceBases(), bearer: try await signIn.bearer())
        var rows: [Row] = []
        for service in Provision.specs.map(\.id) {
            for a in try await reader.all(service, "/approvals?status=\(state)&limit=500" + (mine ? "&for=me" : "")) {
                rows.append(Row(service: service, id: a["id"] as? String ?? "", action: a["action"] as? String ?? "", subject: a["subject"] as? String ?? "",
                                amount: a["amount"] as? Int ?? 0, unit: a["unit"] as? String ?? "", requestedBy: a["requestedBy"] as? String ?? "",
                                requestedAt: a["requestedAt"] as? String ?? "", approverRole: a["approverRole"] as? String ?? "", status: a["status"] as? String ?? ""))
            }
        }
        rows.sort { $0.requestedAt < $1.requestedAt }
        if json { print(try Terminal.json(rows)); return }
        print(Terminal.table(["asked", "service", "action", "subject", "amount", "asked by", "for", "id"], rows.map {
            [$0.requestedAt, $0.service, $0.action, $0.subject, "\($0.amount) \($0.unit)", $0.requestedBy, $0.approverRole, $0.id]
        }))
    }
}
