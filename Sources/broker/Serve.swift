import ArgumentParser
import BrokerRuntime
import Hummingbird
import Logging
import Foundation
import NIOCore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database and serve the HTTP API and pages.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let runtime = try await BrokerRuntime.make(config: config)
        let logger = Logger(label: "broker")
        logger.info("serving", metadata: ["address": "\(config.server.host):\(config.server.port)", "public_url": "\(config.server.publicURL)"])
        do {
            try await runtime.application(logger: logger).runService()
        } catch where error is SocketAddressError.UnknownHost || error is SocketAddressError {
            // A host name that does not resolve: say which setting it was.
            throw ValidationError("config: server.host: cannot listen on \(config.server.host):\(config.server.port): \(error)")
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            throw ValidationError("config: server.host/server.port: cannot listen on \(config.server.host):\(config.server.port): \(error)")
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let store = try BrokerRuntime.openStore(config)
        let applied = try await store.migrate()
        print(applied.isEmpty ? "schema is up to date" : "applied: " + applied.joined(separator: ", "))
    }
}
