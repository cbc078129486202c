import BrokerCore
import Foundation

extension ConfigLoader {
    static func build(_ v: ConfigValues, credentials: [String: [String: String]]) throws -> BrokerConfig {
        var c = BrokerConfig()
        c.server.host = try v.string("server.host")
        guard !c.server.host.isEmpty else { throw ConfigError(key: "server.host", problem: "must not be empty") }
        guard isHost(c.server.host) else {
            throw ConfigError(key: "server.host", problem: "must be an IP address or a host name, not '\(c.server.host)'")
        }
        c.server.port = try v.int("server.port", min: 0, max: 65_535)
        c.server.publicURL = try v.url("server.public_url", schemes: ["http", "https"])
        while c.server.publicURL.hasSuffix("/") { c.server.publicURL.removeLast() }
        c.server.allowedReturnTo = try v.list("server.allowed_return_to").map { try origin($0, key: "server.allowed_return_to") }
        c.server.devMode = try v.bool("server.dev_mode")
        // dev_mode serves /dev/outbox with live links and drops the Secure flag: loopback only.
        if c.server.devMode, !isLoopback(c.server.host) {
            throw ConfigError(key: "server.dev_mode", problem: "true only with a loopback server.host (127.0.0.1, ::1, localhost), not '\(c.server.host)'")
        }
        c.server.idleTimeoutSeconds = try v.int("server.idle_timeout_seconds", min: 1, max: 86_400)
        c.server.cookieDomain = try cookieDomain(v.string("server.cookie_domain"), publicURL: c.server.publicURL)
        c.server.trustedProxies = try v.list("server.trusted_proxies").map { raw in
            guard let range = AddressRange(raw) else {
                throw ConfigError(key: "server.trusted_proxies", problem: "'\(raw)' is not an IP address or CIDR range like 10.0.0.0/8")
            }
            return range
        }

        c.database.url = try v.string("database.url")
        guard ["sqlite://", "postgres://", "postgresql://"].contains(where: c.database.url.hasPrefix),
              c.database.url.count > "sqlite://".count
        else { throw ConfigError(key: "database.url", problem: "must be sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB") }

        c.database.maxConnections = try v.int("database.max_connections", min: 1, max: 1000)
        c.database.connectTimeoutSeconds = try v.int("database.connect_timeout_seconds", min: 1, max: 600)
        c.admin.tokens = try v.list("admin.tokens").map(Secret.init)

        c.providers.directory = try v.string("providers.directory")
        for (id, fields) in credentials {
            guard id.range(of: "^[a-z0-9][a-z0-9_-]*$", options: .regularExpression) != nil else {
                throw ConfigError(key: "providers.credentials.\(id)", problem: "not a provider id")
            }
            c.providers.credentials[id] = ProviderCredentials(
                clientId: fields["client_id"] ?? "", clientSecret: Secret(fields["client_secret"] ?? ""),
                teamId: fields["team_id"], keyId: fields["key_id"]
            )
        }

        c.mail.transport = try v.choice("mail.transport", MailConfig.Transport.self)
        c.mail.smtpURL = try v.url("mail.smtp_url", schemes: ["smtp", "smtps"])
        c.mail.username = try v.string("mail.username")
        c.mail.password = Secret(try v.string("mail.password"))
        c.mail.from = try v.string("mail.from")
        guard c.mail.from.contains("@") else { throw ConfigError(key: "mail.from", problem: "must contain an email address") }
        c.mail.fileDirectory = try nonEmpty(v.string("mail.file_directory"), key: "mail.file_directory")

        c.sms.transport = try v.choice("sms.transport", SMSConfig.Transport.self)
        c.sms.httpURL = try v.url("sms.http_url", schemes: ["http", "https"])
        c.sms.httpToken = Secret(try v.string("sms.http_token"))
        c.sms.fileDirectory = try nonEmpty(v.string("sms.file_directory"), key: "sms.file_directory")

        // "A cooldown or limit of 0 turns it off": no dead letters, no end to a code's tries.
        c.delivery.maxAttempts = try unlimitedWhenZero(v.int("delivery.max_attempts", min: 0))
        c.delivery.backoffMaxSeconds = try v.seconds("delivery.backoff_max_seconds", min: 1)

        c.recovery.linkTTLSeconds = try v.seconds("recovery.link_ttl_seconds", min: 1)
        c.recovery.codeTTLSeconds = try v.seconds("recovery.code_ttl_seconds", min: 1)
        c.recovery.codeMaxAttempts = try unlimitedWhenZero(v.int("recovery.code_max_attempts", min: 0))
        c.recovery.resendCooldownSeconds = try v.seconds("recovery.resend_cooldown_seconds", min: 0)
        c.recovery.revealMethods = try v.bool("recovery.reveal_methods")
        c.recovery.socialOnlyPassword = try v.choice("recovery.social_only_password", RecoveryConfig.SocialOnlyPassword.self)
        c.recovery.notMePauseSeconds = try v.seconds("recovery.not_me_pause_seconds", min: 0)

        c.security.passwordMinLength = try v.int("security.password_min_length", min: 1, max: 1024)
        c.security.sessionTTLSeconds = try v.seconds("security.session_ttl_seconds", min: 1)
        c.security.reauthenticationSeconds = try v.seconds("security.reauthentication_seconds", min: 1)
        c.security.argon2MemoryKiB = try v.int("security.argon2_memory_kib", min: 8, max: 4_194_304)
        c.security.argon2Iterations = try v.int("security.argon2_iterations", min: 1, max: 100)
        c.security.argon2Parallelism = try v.int("security.argon2_parallelism", min: 1, max: 64)
        c.security.secretKey = Secret(try v.string("security.secret_key"))
        if !c.security.secretKey.value.isEmpty, c.security.secretKey.value.utf8.count < 32 {
            throw ConfigError(key: "security.secret_key", problem: "must be at least 32 characters (or empty for a generated key file)")
        }
        guard c.security.argon2MemoryKiB >= 8 * c.security.argon2Parallelism else {
            throw ConfigError(key: "security.argon2_memory_kib", problem: "must be at least 8 × argon2_parallelism")
        }

        c.rateLimits.enabled = try v.bool("rate_limits.enabled")
        c.rateLimits.windowSeconds = try v.seconds("rate_limits.window_seconds", min: 1)
        c.rateLimits.loginPerAccount = try v.int("rate_limits.login_per_account", min: 0)
        c.rateLimits.loginPerAddress = try v.int("rate_limits.login_per_address", min: 0)
        c.rateLimits.sendPerIdentifier = try v.int("rate_limits.send_per_identifier", min: 0)
        c.rateLimits.sendPerAddress = try v.int("rate_limits.send_per_address", min: 0)
        c.rateLimits.startPerAddress = try v.int("rate_limits.start_per_address", min: 0)

        c.log.level = try v.string("log.level")
        guard LogConfig.levels.contains(c.log.level) else {
            throw ConfigError(key: "log.level", problem: "must be one of " + LogConfig.levels.joined(separator: ", "))
        }
        return c
    }

    /// `scheme://host[:port]`, lower-cased, nothing after it.
    static func origin(_ raw: String, key: String) throws -> String {
        guard let url = URLComponents(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased(), !host.isEmpty, url.user == nil, url.password == nil,
              url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil
        else { throw ConfigError(key: key, problem: "'\(raw)' is not an origin like https://app.example.com") }
        return scheme + "://" + host + (url.port.map { ":\($0)" } ?? "")
    }

    /// A cookie `Domain`: empty, or a domain that `public_url`'s host is or belongs to (browsers
    /// drop a cookie for any other).
    static func cookieDomain(_ raw: String, publicURL: String) throws -> String {
        var domain = raw.trimmingWhitespace().lowercased()
        while domain.hasPrefix(".") { domain.removeFirst() }
        guard !domain.isEmpty else { return "" }
        guard domain.range(of: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", options: .regularExpression) != nil else {
            throw ConfigError(key: "server.cookie_domain", problem: "'\(raw)' is not a domain name like example.com")
        }
        let host = URLComponents(string: publicURL)?.host?.lowercased() ?? ""
        guard host == domain || host.hasSuffix("." + domain) else {
            throw ConfigError(key: "server.cookie_domain", problem: "server.public_url's host '\(host)' is not within '\(domain)'")
        }
        return domain
    }

    /// `localhost`, or an address in 127.0.0.0/8 or ::1.
    /// An IPv4 or IPv6 address, or a DNS host name (labels of letters, digits and inner dashes).
    static func isHost(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 { return true }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return host.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        return ["127.0.0.0/8", "::1"].compactMap(AddressRange.init).contains { $0.contains(host) }
    }

    static func unlimitedWhenZero(_ value: Int) -> Int { value == 0 ? Int(Int32.max) : value }

    static func nonEmpty(_ value: String, key: String) throws -> String {
        guard !value.isEmpty else { throw ConfigError(key: key, problem: "must not be empty") }
        return value
    }
}
