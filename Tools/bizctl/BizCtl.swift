import ArgumentParser

/// The command line of bizops for operators and integrators. Each subcommand is one file.
@main
struct BizCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bizctl",
        abstract: "Work with a running bizops system.",
        subcommands: [Status.self, Watch.self, Order.self, Dead.self, Outbox.self, Refusals.self, Approvals.self, Publish.self, Provision.self, Token.self, Keys.self])
}
