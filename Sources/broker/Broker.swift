import ArgumentParser

/// The `broker` command: the server and the operator's tools.
@main
struct Broker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Self-hosted account-recovery broker.",
        subcommands: [Serve.self, Migrate.self, DoctorCommand.self, AccountCommand.self, ProvidersCommand.self, OutboxCommand.self, KeysCommand.self]
    )

    /// The parser's own entry point, with ids that start with '-' read as ids (`DashedIds`).
    static func main() async {
        await main(DashedIds.escaped(Array(CommandLine.arguments.dropFirst())))
    }
}
