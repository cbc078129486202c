import BrokerCore

/// The whole configuration, read once at start-up; each module receives its part.
public struct BrokerConfig: Sendable {
    public var server = ServerConfig()
    public var database = DatabaseConfig()
    public var admin = AdminConfig()
    public var providers = ProvidersConfig()
    public var mail = MailConfig()
    public var sms = SMSConfig()
    public var delivery = DeliveryConfig()
    public var recovery = RecoveryConfig()
    public var security = SecurityConfig()
    public var rateLimits = RateLimitSettings()
    public var log = LogConfig()
    /// The apps the broker is an OpenID Connect provider for.
    public var apps: [AppClient] = []

    public init() {}
}

public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var publicURL = "http://127.0.0.1:8080"
    /// Origins (`scheme://host[:port]`) that `return_to` may point at.
    public var allowedReturnTo = ["http://127.0.0.1:8080"]
    public var devMode = false
    /// Peers (addresses or CIDR ranges) whose `X-Forwarded-For` names the client; none by default.
    public var trustedProxies: [AddressRange] = []
    /// A connection that sends no complete request this long is closed.
    public var idleTimeoutSeconds = 30
    /// The `Domain` of the `broker_session` cookie; empty: the broker's own host only.
    public var cookieDomain = ""
}

public struct DatabaseConfig: Sendable {
    public var url = "sqlite://var/broker.sqlite"
    /// PostgreSQL: connections per instance, and how long to wait for one.
    public var maxConnections = 10
    public var connectTimeoutSeconds = 10
}

public struct AdminConfig: Sendable {
    public var tokens: [Secret] = []
}

public struct ProvidersConfig: Sendable {
    public var directory = "providers"
    /// Client id and secret per provider id, from the file or `BROKER_PROVIDERS_CREDENTIALS_<ID>_CLIENT_ID|CLIENT_SECRET`.
    public var credentials: [String: ProviderCredentials] = [:]
}

public struct MailConfig: Sendable {
    public enum Transport: String, Sendable, CaseIterable { case smtp, file }
    public var transport = Transport.file
    public var smtpURL = "smtp://127.0.0.1:25"
    public var username = ""
    public var password = Secret("")
    public var from = "Accounts <no-reply@example.com>"
    public var fileDirectory = "var/outbox/mail"
}

public struct SMSConfig: Sendable {
    public enum Transport: String, Sendable, CaseIterable { case http, file }
    public var transport = Transport.file
    public var httpURL = "http://127.0.0.1:9000/sms"
    public var httpToken = Secret("")
    public var fileDirectory = "var/outbox/sms"
}

public struct DeliveryConfig: Sendable {
    public var maxAttempts = 10
    public var backoffMaxSeconds = 30
}

public struct RecoveryConfig: Sendable {
    public func settings(publicURL: String) -> RecoverySettings {
        RecoverySettings(
            publicURL: publicURL, linkTTLSeconds: linkTTLSeconds, codeTTLSeconds: codeTTLSeconds, codeMaxAttempts: codeMaxAttempts,
            resendCooldownSeconds: resendCooldownSeconds, revealMethods: revealMethods,
            socialOnlyPasswordAllowed: socialOnlyPassword == .allow, notMePauseSeconds: notMePauseSeconds
        )
    }

    public enum SocialOnlyPassword: String, Sendable, CaseIterable { case allow, deny }
    public var linkTTLSeconds = 3600
    public var codeTTLSeconds = 600
    public var codeMaxAttempts = 5
    public var resendCooldownSeconds = 60
    public var revealMethods = false
    public var socialOnlyPassword = SocialOnlyPassword.allow
    public var notMePauseSeconds = 86_400
}

public struct SecurityConfig: Sendable {
    public var passwordMinLength = 8
    public var sessionTTLSeconds = 1_209_600
    public var reauthenticationSeconds = 600
    /// Argon2id cost of new hashes; OWASP's minimum by default.
    public var argon2MemoryKiB = 19_456
    public var argon2Iterations = 2
    public var argon2Parallelism = 1
    /// Key from which every check word's secret is derived (HMAC). Empty: a random key kept in
    /// `broker.key` beside the SQLite file. Several instances must share one.
    public var secretKey = Secret("")

    public var settings: SecuritySettings {
        SecuritySettings(
            passwordMinLength: passwordMinLength, sessionTTLSeconds: sessionTTLSeconds, reauthenticationSeconds: reauthenticationSeconds
        )
    }
}

public struct LogConfig: Sendable {
    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    public var level = "info"
}
