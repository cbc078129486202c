import ArgumentParser
import BrokerConfiguration
import Foundation
import Logging
import Synchronization

/// `--config PATH`, shared by every command: the flag, then $BROKER_CONFIG, then config/broker.yaml.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the YAML config (default: $BROKER_CONFIG or config/broker.yaml).")
    var config: String?

    var path: String { config ?? ProcessInfo.processInfo.environment["BROKER_CONFIG"] ?? "config/broker.yaml" }

    /// Loads the configuration or exits with the message naming the key at fault.
    func load() throws -> BrokerConfig {
        do {
            let loaded = try ConfigLoader.load(path: path)
            LogSetup.bootstrap(level: loaded.log.level)
            return loaded
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        }
    }
}

enum LogSetup {
    /// swift-log's bootstrap may run once per process; a command that loads the configuration
    /// twice must not try again. A Mutex, so this global is safe to touch from any task.
    static let done = Mutex(false)

    static func bootstrap(level: String) {
        guard done.withLock({ done in defer { done = true }; return !done }) else { return }
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: parsed) }
    }
}
