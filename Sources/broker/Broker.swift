import ArgumentParser

/// The `broker` command: the server and the operator's tools.
@main
struct Broker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Self-hosted account-recovery broker.",
        subcommands: [Serve.self, Migrate.self, DoctorCommand.self, AccountCommand.self, ProvidersCommand.self, OutboxCommand.self, KeysCommand.self]
    )
}
