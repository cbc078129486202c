import BrokerConfiguration
import Foundation
import Testing

@Suite("Configuration")
struct ConfigLoaderTests {
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    @Test func sampleFileLoads() throws {
        let c = try ConfigLoader.load(path: Self.root.appendingPathComponent("config/broker.yaml").path, environment: [:])
        #expect(c.server.port == 8080)
        #expect(c.server.devMode)
        #expect(c.database.url == "sqlite://var/broker.sqlite")
        #expect(c.recovery.socialOnlyPassword == .allow)
        #expect(c.security.argon2MemoryKiB == 19_456)
    }

    @Test func emptyFileGivesContractDefaults() throws {
        let c = try ConfigLoader.parse(yaml: "")
        #expect(c.server.host == "127.0.0.1")
        #expect(!c.server.devMode)
        #expect(c.recovery.linkTTLSeconds == 3600)
        #expect(c.rateLimits.loginPerAccount == 10)
        #expect(c.admin.tokens.isEmpty)
    }

    /// Any positive number of seconds is a valid lifetime; past a century it counts as a century,
    /// so no date worked out from it leaves the range a stored date holds (9e18 seconds crashed
    /// the first recovery request).
    @Test func aLifetimeBeyondACenturyIsACentury() throws {
        let c = try ConfigLoader.parse(yaml: """
            recovery: { link_ttl_seconds: 9000000000000000000, code_ttl_seconds: 7, resend_cooldown_seconds: 9000000000000000000 }
            security: { session_ttl_seconds: 9000000000000000000 }
            rate_limits: { window_seconds: 9000000000000000000 }
            """)
        #expect(c.recovery.linkTTLSeconds == 100 * 366 * 86_400)
        #expect(c.recovery.codeTTLSeconds == 7)
        #expect(c.recovery.resendCooldownSeconds == 100 * 366 * 86_400)
        #expect(c.security.sessionTTLSeconds == 100 * 366 * 86_400)
        #expect(c.rateLimits.windowSeconds == 100 * 366 * 86_400)
    }

    @Test func environmentOverridesTheFile() throws {
        let c = try ConfigLoader.parse(yaml: "server:\n  port: 9000\n", environment: [
            "BROKER_SERVER_PORT": "9100",
            "BROKER_SERVER_DEV_MODE": "true",
            "BROKER_ADMIN_TOKENS": "token-one,token-two",
            "BROKER_RECOVERY_LINK_TTL_SECONDS": "120",
            "BROKER_PROVIDERS_CREDENTIALS_GOOGLE_CLIENT_ID": "cid",
            "BROKER_PROVIDERS_CREDENTIALS_GOOGLE_CLIENT_SECRET": "csecret",
            "BROKER_CONFIG": "ignored.yaml",
            "BROKER_SOMETHING_ELSE": "ignored",
        ])
        #expect(c.server.port == 9100)
        #expect(c.server.devMode)
        #expect(c.admin.tokens.map(\.value) == ["token-one", "token-two"])
        #expect(c.recovery.linkTTLSeconds == 120)
        #expect(c.providers.credentials["google"]?.clientId == "cid")
        #expect(c.providers.credentials["google"]?.clientSecret.value == "csecret")
    }

    @Test func credentialsFromTheFile() throws {
        let c = try ConfigLoader.parse(yaml: "providers:\n  credentials:\n    github: { client_id: abc, client_secret: 123 }\n")
        #expect(c.providers.credentials["github"]?.clientSecret.value == "123")
    }

    @Test(arguments: [
        ("server:\n  prot: 1\n", "server.prot"),
        ("serverr:\n  port: 1\n", "serverr"),
        ("server:\n  port: abc\n", "server.port"),
        ("server:\n  port: 70000\n", "server.port"),
        ("server:\n  dev_mode: maybe\n", "server.dev_mode"),
        ("server:\n  public_url: not a url\n", "server.public_url"),
        ("server:\n  allowed_return_to: [\"https://a.example/path\"]\n", "server.allowed_return_to"),
        ("server:\n  trusted_proxies: [\"10.0.0.0/33\"]\n", "server.trusted_proxies"),
        ("server:\n  trusted_proxies: [\"proxy.internal\"]\n", "server.trusted_proxies"),
        ("server:\n  host: not a host\n", "server.host"),
        ("server:\n  host: -bad-.example\n", "server.host"),
        ("database:\n  url: mysql://x\n", "database.url"),
        ("mail:\n  transport: pigeon\n", "mail.transport"),
        ("recovery:\n  link_ttl_seconds: 0\n", "recovery.link_ttl_seconds"),
        ("recovery:\n  social_only_password: sometimes\n", "recovery.social_only_password"),
        ("rate_limits:\n  login_per_account: -1\n", "rate_limits.login_per_account"),
        ("providers:\n  credentials:\n    google: { client_id: a, colour: b }\n", "providers.credentials.google.colour"),
        ("log:\n  level: loud\n", "log.level"),
    ])
    func badFilesNameTheKey(yaml: String, key: String) {
        #expect {
            try ConfigLoader.parse(yaml: yaml)
        } throws: { error in
            (error as? ConfigError)?.key == key
        }
    }

    @Test func badEnvironmentValueNamesTheKey() {
        #expect {
            try ConfigLoader.parse(yaml: "", environment: ["BROKER_SERVER_PORT": "eighty"])
        } throws: { error in
            (error as? ConfigError)?.key == "server.port"
        }
    }

    @Test func trustedProxiesFromFileAndEnvironment() throws {
        let c = try ConfigLoader.parse(yaml: "server:\n  trusted_proxies: [10.0.0.0/8, \"::1\"]\n")
        #expect(c.server.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1"])
        let e = try ConfigLoader.parse(yaml: "", environment: ["BROKER_SERVER_TRUSTED_PROXIES": "127.0.0.1,fd00::/8"])
        #expect(e.server.trustedProxies.map(\.description) == ["127.0.0.1", "fd00::/8"])
        #expect(try ConfigLoader.parse(yaml: "").server.trustedProxies.isEmpty)
    }

    @Test func limitsOfZeroAreAllowed() throws {
        let c = try ConfigLoader.parse(yaml: "rate_limits:\n  login_per_account: 0\nrecovery:\n  resend_cooldown_seconds: 0\n")
        #expect(c.rateLimits.loginPerAccount == 0)
        #expect(c.recovery.resendCooldownSeconds == 0)
        let off = try ConfigLoader.parse(yaml: "recovery:\n  code_max_attempts: 0\ndelivery:\n  max_attempts: 0\n")
        #expect(off.recovery.codeMaxAttempts > 1_000_000, "0 turns the limit off")
        #expect(off.delivery.maxAttempts > 1_000_000)
    }

    @Test func missingFileIsReported() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/broker.yaml", environment: [:]) }
    }

    /// dev_mode serves /dev/outbox with live links: never on an address others can reach.
    @Test(arguments: ["0.0.0.0", "192.0.2.10", "::", "broker.example.com"])
    func devModeRefusesAHostOtherThanLoopback(host: String) {
        #expect {
            try ConfigLoader.parse(yaml: "server:\n  host: \"\(host)\"\n  dev_mode: true\n")
        } throws: { ($0 as? ConfigError)?.key == "server.dev_mode" }
        #expect((try? ConfigLoader.parse(yaml: "server:\n  host: \"\(host)\"\n  dev_mode: false\n")) != nil)
    }

    @Test(arguments: ["127.0.0.1", "127.0.1.1", "::1", "localhost"])
    func devModeOnLoopback(host: String) throws {
        #expect(try ConfigLoader.parse(yaml: "server:\n  host: \"\(host)\"\n  dev_mode: true\n").server.devMode)
    }

    @Test func securityKeysHaveTheirDefaultsAndOverrides() throws {
        let d = try ConfigLoader.parse(yaml: "")
        #expect(d.server.idleTimeoutSeconds == 30)
        #expect(d.rateLimits.startPerAddress == 300)
        let c = try ConfigLoader.parse(yaml: "server:\n  idle_timeout_seconds: 5\n", environment: ["BROKER_RATE_LIMITS_START_PER_ADDRESS": "7"])
        #expect(c.server.idleTimeoutSeconds == 5)
        #expect(c.rateLimits.startPerAddress == 7)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "server:\n  idle_timeout_seconds: 0\n") }
    }
}
