import ArgumentParser
import BrokerCore
import BrokerRuntime
import Foundation

/// `broker account ...`: the admin API's account operations for operators at a shell.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Create, find, show and change accounts.",
        subcommands: [Create.self, Find.self, Show.self, SetPassword.self, Link.self, Unlink.self, Block.self, Unblock.self, Import.self, Export.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account; addresses given here count as verified.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Login name.") var login: String?
        @Option(help: "Email address.") var email: String?
        @Option(help: "Phone number (E.164).") var phone: String?
        @Option(help: "Locale: pt-BR, en, es, ru, de or fr.") var locale: String?
        @Flag(help: "Read the password from standard input (required; never from the command line).") var passwordStdin = false

        func run() async throws {
            // The contract's usage has --password-stdin required: with --login alone, an account
            // made without it could never be signed in to.
            guard passwordStdin else { throw ValidationError("give --password-stdin and type the password on standard input") }
            let password = try readPassword()
            try await withAdmin(options) { admin in
                let account = try await admin.create(NewAccountInput(login: login, email: email, phone: phone, password: password, locale: locale))
                try printJSON(AccountDocument(account: account))
            }
        }
    }

    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find accounts whose login, email or phone contains TEXT: \"find this user's login\".")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Part of a login name, email or phone.") var text: String

        func run() async throws {
            try await withAdmin(options) { admin in
                let accounts = try await admin.search(text)
                if accounts.isEmpty { print("no account matches") }
                for a in accounts {
                    let methods = (a.hasPassword ? ["password"] : []) + a.identities.map(\.provider)
                    print([a.id, a.login ?? "-", a.email ?? "-", a.phone ?? "-", a.state.rawValue, methods.joined(separator: ",")].joined(separator: "\t"))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one account as JSON.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Account id.") var id: String

        func run() async throws {
            try await withAdmin(options) { admin in try printJSON(AccountDocument(account: try await admin.get(id))) }
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password", abstract: "Set a new password (read from stdin); signs the account out everywhere.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Account id.") var id: String
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func validate() throws {
            guard passwordStdin else { throw ValidationError("give --password-stdin and type the password on standard input") }
        }

        func run() async throws {
            let password = try readPassword()
            try await withAdmin(options) { admin in
                try await admin.setPassword(id, password)
                print("password changed; sessions revoked")
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Link a social identity to an account.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Account id.") var id: String
        @Option(help: "Provider id, e.g. google.") var provider: String
        @Option(help: "The provider's user id.") var subject: String
        @Option(help: "The email the provider knows.") var email: String?

        func run() async throws {
            try await withAdmin(options) { admin in
                try printJSON(AccountDocument(account: try await admin.link(id, IdentityInput(provider: provider, subject: subject, email: email))))
            }
        }
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a social identity from an account.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Account id.") var id: String
        @Option(help: "Provider id.") var provider: String
        @Option(help: "The provider's user id.") var subject: String

        func run() async throws {
            try await withAdmin(options) { admin in
                try await admin.unlink(id, provider: provider, subject: subject)
                print("unlinked")
            }
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Block an account: it cannot sign in, and its sessions end.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Account id.") var id: String

        func run() async throws {
            try await withAdmin(options) { admin in try printJSON(AccountDocument(account: try await admin.setState(id, .blocked))) }
        }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a blocked account sign in again.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Account id.") var id: String

        func run() async throws {
            try await withAdmin(options) { admin in try printJSON(AccountDocument(account: try await admin.setState(id, .active))) }
        }
    }
}

/// Runs `body` with the admin flow, acting as "cli" in audit events; a refusal exits 1 with its message.
func withAdmin(_ options: ConfigOptions, _ body: (AdminFlow) async throws -> Void) async throws {
    let runtime = try await BrokerRuntime.make(config: try options.load())
    let admin = AdminFlow(ports: runtime.services.ports, security: runtime.config.security.settings, providers: runtime.catalog, actor: "cli")
    do {
        try await body(admin)
    } catch let error as BrokerError {
        FileHandle.standardError.write(Data(("error: " + error.code + ": " + error.message + "\n").utf8))
        throw ExitCode(1)
    }
}

func readPassword() throws -> Secret {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("no password on standard input")
    }
    return Secret(line)
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
