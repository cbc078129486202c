import BrokerConfiguration
import BrokerCore
import BrokerStore
import Foundation
import NIOCore
import NIOPosix

/// `broker doctor`: checks a configuration before it goes live and says what is wrong in
/// plain words. It reads and connects; it writes nothing (a missing SQLite file is reported,
/// not created).
public struct Doctor: Sendable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Level: String, Sendable { case ok, warning, problem }
        public var level: Level
        public var key: String
        public var text: String
        public var description: String { "\(level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(key): \(text)" }
    }

    let config: BrokerConfig
    /// The sample configuration's admin token, which must never serve a real broker.
    static let sampleAdminToken = "dev-admin-token-change-me"

    public init(config: BrokerConfig) { self.config = config }

    /// Every finding, problems first.
    public func run(timeoutSeconds: Int64 = 3) async -> [Finding] {
        var findings = configurationFindings()
        findings += providerFindings()
        findings += appFindings()
        findings.append(await databaseFinding(timeoutSeconds: timeoutSeconds))
        findings += await deliveryFindings(timeoutSeconds: timeoutSeconds)
        let order: [Finding.Level: Int] = [.problem: 0, .warning: 1, .ok: 2]
        return findings.enumerated().sorted { (order[$0.element.level]!, $0.offset) < (order[$1.element.level]!, $1.offset) }.map(\.element)
    }

    func configurationFindings() -> [Finding] {
        var out: [Finding] = []
        let publicHost = URLComponents(string: config.server.publicURL)?.host ?? ""
        let publicIsLocal = ["localhost", "127.0.0.1", "::1"].contains(publicHost) || publicHost.hasPrefix("127.")
        if config.server.devMode {
            out.append(Finding(level: publicIsLocal ? .warning : .problem, key: "server.dev_mode",
                               text: "is on: /dev/outbox shows every message with its live links, and cookies are not Secure. Turn it off before anyone else can reach the broker."))
        }
        if config.server.publicURL.hasPrefix("http://"), !publicIsLocal {
            out.append(Finding(level: .problem, key: "server.public_url",
                               text: "is http: recovery links and session cookies would travel unencrypted. Use https."))
        }
        if config.admin.tokens.contains(where: { $0.value == Self.sampleAdminToken }) {
            out.append(Finding(level: publicIsLocal && config.server.devMode ? .warning : .problem, key: "admin.tokens",
                               text: "holds the sample token from config/broker.yaml: anyone who read it can reset every password. Set your own."))
        } else if let short = config.admin.tokens.first(where: { $0.value.utf8.count < 24 }) {
            out.append(Finding(level: .warning, key: "admin.tokens", text: "has a token of \(short.value.utf8.count) characters; use 32 random characters or more."))
        } else if config.admin.tokens.isEmpty {
            out.append(Finding(level: .ok, key: "admin.tokens", text: "none: the admin API refuses everyone (the CLI still works)."))
        } else {
            out.append(Finding(level: .ok, key: "admin.tokens", text: "\(config.admin.tokens.count) set."))
        }
        let postgres = !config.database.url.hasPrefix("sqlite://")
        if config.security.secretKey.value.isEmpty {
            out.append(postgres
                ? Finding(level: .warning, key: "security.secret_key",
                          text: "is empty: the check-word key is kept in the database, so a copy of it can make working links. Set one (32+ characters), the same on every instance.")
                : Finding(level: .ok, key: "security.secret_key",
                          text: "is empty: the key lives in broker.key beside the SQLite file. Back it up apart from the database."))
        } else {
            out.append(Finding(level: .ok, key: "security.secret_key", text: "set."))
        }
        if !config.rateLimits.enabled {
            out.append(Finding(level: .problem, key: "rate_limits.enabled", text: "is false: passwords and codes can be guessed without limit."))
        }
        return out
    }

    /// Apps: a redirect URI over plain http to anything but this machine lets a code travel unencrypted.
    func appFindings() -> [Finding] {
        var out: [Finding] = []
        for (index, app) in config.apps.enumerated() {
            let key = "apps[\(index)]"
            for uri in app.redirectURIs + app.postLogoutRedirectURIs where uri.lowercased().hasPrefix("http://") {
                let host = URLComponents(string: uri)?.host ?? ""
                if !(["localhost", "::1"].contains(host) || host.hasPrefix("127.")) {
                    out.append(Finding(level: .problem, key: key + ".redirect_uris",
                                       text: "\(app.clientId) has the http URI \(uri): authorization codes would travel unencrypted. Use https."))
                }
            }
            if let secret = app.secret, secret.value.utf8.count < 24 {
                out.append(Finding(level: .warning, key: key + ".client_secret",
                                   text: "\(app.clientId)'s secret has \(secret.value.utf8.count) characters; use 32 random characters or more."))
            }
        }
        if !config.apps.isEmpty, out.isEmpty {
            out.append(Finding(level: .ok, key: "apps", text: "\(config.apps.count) app(s): " + config.apps.map(\.clientId).joined(separator: ", ") + "."))
        }
        return out
    }

    func providerFindings() -> [Finding] {
        guard let catalog = try? BrokerRuntime.loadProviders(config) else {
            return [Finding(level: .problem, key: "providers.directory", text: "the provider files cannot be read (run `broker providers list`).")]
        }
        let summaries = catalog.providers()
        let signIn = summaries.filter(\.signIn).map(\.id)
        if signIn.isEmpty {
            return [Finding(level: .ok, key: "providers.credentials",
                            text: "none configured: no one can sign in with a provider; their recovery pages are still offered.")]
        }
        return [Finding(level: .ok, key: "providers.credentials",
                        text: "sign-in with \(signIn.joined(separator: ", ")); \(summaries.count - signIn.count) other providers offer their recovery pages only.")]
    }

    func databaseFinding(timeoutSeconds: Int64) async -> Finding {
        do {
            switch try StoreLocation(url: config.database.url) {
            case .sqlite(let path):
                guard FileManager.default.fileExists(atPath: path) else {
                    return Finding(level: .warning, key: "database.url", text: "\(path) does not exist yet: `broker serve` (or `broker migrate`) creates it.")
                }
                let store = try SQLiteStore(path: path)
                try await store.ping()
                return Finding(level: .ok, key: "database.url", text: "SQLite at \(path) answers.")
            case .postgres(let url):
                let store = try PostgresStore(url: url, settings: .init(maximumConnections: 1, connectTimeoutSeconds: Int(timeoutSeconds)))
                defer { Task { try? await store.close() } }
                try await store.ping()
                return Finding(level: .ok, key: "database.url", text: "PostgreSQL answers.")
            }
        } catch {
            return Finding(level: .problem, key: "database.url", text: "the database does not answer or is not migrated: \(error)")
        }
    }

    func deliveryFindings(timeoutSeconds: Int64) async -> [Finding] {
        var out: [Finding] = []
        switch config.mail.transport {
        case .file:
            out.append(Finding(level: config.server.devMode ? .ok : .problem, key: "mail.transport",
                               text: "is file: messages are written to \(config.mail.fileDirectory), not sent."))
        case .smtp:
            out.append(await endpointFinding(key: "mail.smtp_url", url: config.mail.smtpURL, securePort: 465, plainPort: 25,
                                             secureScheme: "smtps", lost: "no recovery email would go out", timeoutSeconds: timeoutSeconds))
        }
        switch config.sms.transport {
        case .file:
            out.append(Finding(level: config.server.devMode ? .ok : .warning, key: "sms.transport",
                               text: "is file: codes are written to \(config.sms.fileDirectory), not sent (fine if no account has a phone)."))
        case .http:
            out.append(await endpointFinding(key: "sms.http_url", url: config.sms.httpURL, securePort: 443, plainPort: 80,
                                             secureScheme: "https", lost: "no SMS code would go out", timeoutSeconds: timeoutSeconds))
        }
        return out
    }

    /// Whether the server a configured URL names accepts a TCP connection; `lost` says what fails if not.
    func endpointFinding(
        key: String, url raw: String, securePort: Int, plainPort: Int, secureScheme: String, lost: String, timeoutSeconds: Int64
    ) async -> Finding {
        let url = URLComponents(string: raw)
        let host = url?.host ?? ""
        let port = url?.port ?? (url?.scheme == secureScheme ? securePort : plainPort)
        if await Self.reachable(host: host, port: port, timeoutSeconds: timeoutSeconds) {
            return Finding(level: .ok, key: key, text: "\(host):\(port) accepts connections.")
        }
        return Finding(level: .problem, key: key, text: "\(host):\(port) cannot be reached: \(lost).")
    }

    /// Whether a TCP connection to `host:port` opens within the timeout.
    static func reachable(host: String, port: Int, timeoutSeconds: Int64) async -> Bool {
        guard !host.isEmpty else { return false }
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(timeoutSeconds))
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
