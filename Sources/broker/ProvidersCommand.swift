import ArgumentParser
import BrokerCore
import BrokerProviders
import BrokerRuntime

/// `broker providers list`: the provider files, validated, with whether sign-in is configured.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers", abstract: "Inspect the social provider catalog.", subcommands: [List.self, Check.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate providers/*.yaml and list them.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            let config = try options.load()
            let catalog: ProviderCatalog
            do {
                catalog = try BrokerRuntime.loadProviders(config)
            } catch let error as ProviderFileError {
                throw ValidationError(error.description)
            }
            print(["ID", "NAME", "PROTOCOL", "SIGN-IN", "RECOVERY"].joined(separator: "\t"))
            for p in catalog.providers() {
                print([p.id, p.name, p.protocol, p.signIn ? "yes" : "no", p.recoveryURL].joined(separator: "\t"))
            }
            print("\(catalog.definitions.count) providers, all files valid")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch each configured provider's discovery document and JWKS and report what is wrong."
        )
        @OptionGroup var options: ConfigOptions
        @Flag(help: "Check every provider file, not only those with credentials.") var all = false

        func run() async throws {
            let config = try options.load()
            let catalog = try BrokerRuntime.loadProviders(config)
            let gateway = ProviderGateway(catalog: catalog, clock: SystemWallClock())
            var failed = false
            for definition in catalog.definitions where all || catalog.credentials[definition.id] != nil {
                let problems = await gateway.check(definition.id)
                print(definition.id + ": " + (problems.isEmpty ? "ok" : problems.joined(separator: "; ")))
                failed = failed || !problems.isEmpty
            }
            if failed { throw ExitCode(1) }
        }
    }
}
