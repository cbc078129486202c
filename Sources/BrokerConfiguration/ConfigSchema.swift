import BrokerCore
import Configuration

/// Every key the broker reads, with its type and default. The file may hold
/// only these keys (plus `providers.credentials.<id>.client_id|client_secret`);
/// the environment overrides any of them as `BROKER_` + the path in upper snake case.
enum ConfigSchema {
    enum Kind { case string, int, bool, stringList }

    static func entries(_ d: BrokerConfig) -> [(key: String, kind: Kind, value: ConfigContent)] {
        [
            ("server.host", .string, .string(d.server.host)),
            ("server.port", .int, .int(d.server.port)),
            ("server.public_url", .string, .string(d.server.publicURL)),
            ("server.allowed_return_to", .stringList, .stringArray(d.server.allowedReturnTo)),
            ("server.dev_mode", .bool, .bool(d.server.devMode)),
            ("server.trusted_proxies", .stringList, .stringArray(d.server.trustedProxies.map(\.description))),
            ("server.idle_timeout_seconds", .int, .int(d.server.idleTimeoutSeconds)),
            ("server.cookie_domain", .string, .string(d.server.cookieDomain)),
            ("database.url", .string, .string(d.database.url)),
            ("database.max_connections", .int, .int(d.database.maxConnections)),
            ("database.connect_timeout_seconds", .int, .int(d.database.connectTimeoutSeconds)),
            ("admin.tokens", .stringList, .stringArray(d.admin.tokens.map(\.value))),
            ("providers.directory", .string, .string(d.providers.directory)),
            ("mail.transport", .string, .string(d.mail.transport.rawValue)),
            ("mail.smtp_url", .string, .string(d.mail.smtpURL)),
            ("mail.username", .string, .string(d.mail.username)),
            ("mail.password", .string, .string(d.mail.password.value)),
            ("mail.from", .string, .string(d.mail.from)),
            ("mail.file_directory", .string, .string(d.mail.fileDirectory)),
            ("sms.transport", .string, .string(d.sms.transport.rawValue)),
            ("sms.http_url", .string, .string(d.sms.httpURL)),
            ("sms.http_token", .string, .string(d.sms.httpToken.value)),
            ("sms.file_directory", .string, .string(d.sms.fileDirectory)),
            ("delivery.max_attempts", .int, .int(d.delivery.maxAttempts)),
            ("delivery.backoff_max_seconds", .int, .int(d.delivery.backoffMaxSeconds)),
            ("recovery.link_ttl_seconds", .int, .int(d.recovery.linkTTLSeconds)),
            ("recovery.code_ttl_seconds", .int, .int(d.recovery.codeTTLSeconds)),
            ("recovery.code_max_attempts", .int, .int(d.recovery.codeMaxAttempts)),
            ("recovery.resend_cooldown_seconds", .int, .int(d.recovery.resendCooldownSeconds)),
            ("recovery.reveal_methods", .bool, .bool(d.recovery.revealMethods)),
            ("recovery.social_only_password", .string, .string(d.recovery.socialOnlyPassword.rawValue)),
            ("recovery.not_me_pause_seconds", .int, .int(d.recovery.notMePauseSeconds)),
            ("security.password_min_length", .int, .int(d.security.passwordMinLength)),
            ("security.session_ttl_seconds", .int, .int(d.security.sessionTTLSeconds)),
            ("security.reauthentication_seconds", .int, .int(d.security.reauthenticationSeconds)),
            ("security.argon2_memory_kib", .int, .int(d.security.argon2MemoryKiB)),
            ("security.argon2_iterations", .int, .int(d.security.argon2Iterations)),
            ("security.argon2_parallelism", .int, .int(d.security.argon2Parallelism)),
            ("security.secret_key", .string, .string(d.security.secretKey.value)),
            ("rate_limits.enabled", .bool, .bool(d.rateLimits.enabled)),
            ("rate_limits.window_seconds", .int, .int(d.rateLimits.windowSeconds)),
            ("rate_limits.login_per_account", .int, .int(d.rateLimits.loginPerAccount)),
            ("rate_limits.login_per_address", .int, .int(d.rateLimits.loginPerAddress)),
            ("rate_limits.send_per_identifier", .int, .int(d.rateLimits.sendPerIdentifier)),
            ("rate_limits.send_per_address", .int, .int(d.rateLimits.sendPerAddress)),
            ("rate_limits.start_per_address", .int, .int(d.rateLimits.startPerAddress)),
            ("log.level", .string, .string(d.log.level)),
        ]
    }

    static let credentialFields: Set<String> = ["client_id", "client_secret", "team_id", "key_id"]
    static let secretKeys: Set<String> = ["admin.tokens", "mail.password", "sms.http_token", "security.secret_key"]
}
