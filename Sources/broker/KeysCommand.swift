import ArgumentParser
import BrokerCore
import BrokerRuntime
import BrokerSigning
import Foundation

/// `broker keys list|rotate`: the keys the broker signs id_tokens with.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List or rotate the id_token signing keys (the broker as an OpenID Connect provider).",
        subcommands: [List.self, Rotate.self]
    )

    /// The keyring of the configured database (migrated first, as every command does).
    static func keyring(_ options: ConfigOptions) async throws -> SigningKeyring {
        let config = try options.load()
        let store = try BrokerRuntime.openStore(config)
        try await store.migrate()
        return try await BrokerRuntime.keyring(config: config, store: store)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per key: kid, state, created, retired, listed in the JWKS until.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let records = try await KeysCommand.keyring(options).records()
            if records.isEmpty { print("no signing key yet: the broker makes the first when it starts") }
            let now = Date()
            let format = ISO8601DateFormatter()
            for record in records {
                let state = record.retiredAt == nil ? "current" : (record.listedUntil.map { $0 > now } ?? false) ? "retired, listed" : "retired"
                print([record.kid, state, format.string(from: record.createdAt), record.retiredAt.map(format.string) ?? "-",
                       record.listedUntil.map(format.string) ?? "-"].joined(separator: "\t"))
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new current key; the old ones sign nothing more and stay in the JWKS for an hour."
        )
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let record = try await KeysCommand.keyring(options).rotate()
            print("new signing key \(record.kid); running brokers sign with it within 30 seconds")
        }
    }
}
