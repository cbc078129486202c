import ArgumentParser
import BrokerCore
import BrokerRuntime
import Foundation

/// `broker outbox list|retry`: the messages not yet delivered, and a second chance for dead letters.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Inspect undelivered messages and retry dead letters.", subcommands: [List.self, Retry.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per undelivered message: id, state, channel, recipient, account, attempts, last error.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let store = try BrokerRuntime.openStore(try options.load())
            try await store.migrate()
            let messages = try await store.undelivered(limit: 1000)
            if messages.isEmpty { print("no undelivered messages") }
            for m in messages {
                print([m.id, m.state.rawValue, m.channel.rawValue, m.recipient, m.accountId ?? "-", String(m.attempts), m.lastError ?? "-"]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put an undelivered message back in line for an immediate try.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Message id from 'broker outbox list'.") var id: String

        func run() async throws {
            let store = try BrokerRuntime.openStore(try options.load())
            try await store.migrate()
            guard try await store.retry(id: id, now: Date()) else {
                FileHandle.standardError.write(Data("error: no undelivered message \(id)\n".utf8))
                throw ExitCode(1)
            }
            print("queued \(id); a running broker sends it within a second")
        }
    }
}
