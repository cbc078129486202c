import BrokerCore
import Configuration
import Foundation
import Yams

/// Builds the typed configuration from the YAML file and `BROKER_*` variables
/// (swift-configuration does the lookup and the environment's key encoding).
/// Unknown keys and invalid values stop start-up with a `ConfigError` naming the key.
public enum ConfigLoader {
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BrokerConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(key: path, problem: "cannot read the config file")
        }
        return try parse(yaml: text, environment: environment)
    }

    public static func parse(yaml: String, environment: [String: String] = [:]) throws -> BrokerConfig {
        let schema = ConfigSchema.entries(BrokerConfig())
        let kinds = Dictionary(uniqueKeysWithValues: schema.map { ($0.key, $0.kind) })
        var fileValues: [AbsoluteConfigKey: ConfigValue] = [:]
        var credentials: [String: [String: String]] = [:]

        let tree: Any?
        do { tree = try Yams.load(yaml: yaml) } catch { throw ConfigError(key: "(file)", problem: "not valid YAML: \(error)") }
        var appsValue: Any?
        if let tree {
            guard var root = tree as? [String: Any] else { throw ConfigError(key: "(file)", problem: "must be a mapping of sections") }
            appsValue = root.removeValue(forKey: "apps")
            let sections = Set(schema.map { String($0.key.prefix { $0 != "." }) })
            if let unknown = root.keys.sorted().first(where: { !sections.contains($0) }) {
                throw ConfigError(key: unknown, problem: "unknown section")
            }
            for (path, value) in flatten(root, prefix: "") {
                let parts = path.split(separator: ".").map(String.init)
                if parts.count == 4, parts[0] == "providers", parts[1] == "credentials", ConfigSchema.credentialFields.contains(parts[3]) {
                    credentials[parts[2], default: [:]][parts[3]] = try scalarString(value, key: path)
                    continue
                }
                if path == "providers.credentials", value is NSNull || (value as? [String: Any])?.isEmpty == true { continue }
                guard let kind = kinds[path] else { throw ConfigError(key: path, problem: "unknown key") }
                fileValues[AbsoluteConfigKey(parts)] = ConfigValue(try content(value, kind: kind, key: path), isSecret: ConfigSchema.secretKeys.contains(path))
            }
        }
        let defaults = Dictionary(uniqueKeysWithValues: schema.map { (AbsoluteConfigKey($0.key.split(separator: ".").map(String.init)), ConfigValue($0.value, isSecret: false)) })
        let brokerVariables = environment.filter { $0.key.hasPrefix("BROKER_") }
        let env = KeyMappingProvider(upstream: EnvironmentVariablesProvider(environmentVariables: brokerVariables)) { $0.prepending(["broker"]) }
        let reader = ConfigReader(providers: [env, InMemoryProvider(name: "file", values: fileValues), InMemoryProvider(name: "defaults", values: defaults)])

        for (key, value) in brokerVariables {
            // BROKER_PROVIDERS_CREDENTIALS_<ID>_CLIENT_ID | _CLIENT_SECRET
            let prefix = "BROKER_PROVIDERS_CREDENTIALS_"
            guard key.hasPrefix(prefix) else { continue }
            let rest = key.dropFirst(prefix.count)
            for field in ["CLIENT_ID", "CLIENT_SECRET", "TEAM_ID", "KEY_ID"] where rest.hasSuffix("_" + field) {
                let id = rest.dropLast(field.count + 1).lowercased()
                if !id.isEmpty { credentials[id, default: [:]][field.lowercased()] = value }
            }
        }
        var config = try build(ConfigValues(reader: reader), credentials: credentials)
        config.apps = try AppsConfigParser.parse(appsValue, environment: brokerVariables)
        return config
    }

    /// Leaf paths of a YAML mapping ("server.port" -> 8080). Lists are leaves.
    static func flatten(_ map: [String: Any], prefix: String) -> [(String, Any)] {
        map.sorted { $0.key < $1.key }.flatMap { key, value -> [(String, Any)] in
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let nested = value as? [String: Any], !nested.isEmpty { return flatten(nested, prefix: path) }
            return [(path, value)]
        }
    }

    static func scalarString(_ value: Any, key: String) throws -> String {
        switch value {
        case let s as String: return s
        case let i as Int: return String(i)
        case let d as Double: return String(d)
        case let b as Bool: return String(b)
        case is NSNull: return ""
        default: throw ConfigError(key: key, problem: "must be a single value")
        }
    }

    static func content(_ value: Any, kind: ConfigSchema.Kind, key: String) throws -> ConfigContent {
        switch kind {
        case .string:
            return .string(try scalarString(value, key: key))
        case .int:
            if let i = value as? Int, !(value is Bool) { return .int(i) }
            if let s = value as? String, let i = Int(s.trimmingWhitespace()) { return .int(i) }
            throw ConfigError(key: key, problem: "must be a whole number")
        case .bool:
            if let b = value as? Bool { return .bool(b) }
            throw ConfigError(key: key, problem: "must be true or false")
        case .stringList:
            if value is NSNull { return .stringArray([]) }
            if let list = value as? [Any] { return .stringArray(try list.map { try scalarString($0, key: key) }) }
            if let s = value as? String { return .stringArray([s]) }
            throw ConfigError(key: key, problem: "must be a list")
        }
    }
}

/// Typed reads that report a bad value with its key.
struct ConfigValues {
    let reader: ConfigReader

    func string(_ key: String) throws -> String {
        do { return try reader.requiredString(forKey: ConfigKey(key)) } catch { throw ConfigError(key: key, problem: "must be a string") }
    }

    func int(_ key: String, min: Int, max: Int = Int.max) throws -> Int {
        let value: Int
        do { value = try reader.requiredInt(forKey: ConfigKey(key)) } catch { throw ConfigError(key: key, problem: "must be a whole number") }
        guard value >= min, value <= max else {
            throw ConfigError(key: key, problem: max == Int.max ? "must be at least \(min)" : "must be between \(min) and \(max)")
        }
        return value
    }

    /// A number of seconds (a lifetime, a window, a cooldown, a pause): any value from `min` up is
    /// valid, and one beyond a century counts as a century, so that every date the broker works
    /// out from it (stored in milliseconds since 1970) stays within range. A century is "never"
    /// for a recovery link or a session alike.
    func seconds(_ key: String, min: Int) throws -> Int {
        Swift.min(try int(key, min: min), Self.century)
    }

    static let century = 100 * 366 * 86_400

    func bool(_ key: String) throws -> Bool {
        do { return try reader.requiredBool(forKey: ConfigKey(key)) } catch { throw ConfigError(key: key, problem: "must be true or false") }
    }

    func list(_ key: String) throws -> [String] {
        do {
            return try reader.requiredStringArray(forKey: ConfigKey(key)).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        } catch {
            throw ConfigError(key: key, problem: "must be a list of strings")
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T where T.RawValue == String {
        let raw = try string(key)
        guard let value = T(rawValue: raw) else {
            throw ConfigError(key: key, problem: "must be one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    func url(_ key: String, schemes: [String]) throws -> String {
        let raw = try string(key)
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host?.isEmpty == false else {
            throw ConfigError(key: key, problem: "must be a URL starting with " + schemes.map { $0 + "://" }.joined(separator: " or "))
        }
        return raw
    }
}
