import BrokerConfiguration
import BrokerCore
import BrokerCrypto
import BrokerDelivery
import BrokerHTTP
import BrokerLocales
import BrokerProviders
import BrokerSigning
import BrokerStore
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Wiring: turns a configuration into adapters, flows, the delivery worker and
/// the HTTP application. The CLI and the tests use this one path, so what is
/// tested is what runs.
public struct BrokerRuntime: Sendable {
    public let config: BrokerConfig
    public let store: any BrokerDatabase
    public let catalog: ProviderCatalog
    public let services: BrokerServices
    public let worker: DeliveryWorker
    public let janitor: Janitor
    /// The id_token signing keys (`broker keys list|rotate`).
    public let keyring: SigningKeyring

    /// Opens the store (running migrations), loads the provider files and builds the flows.
    public static func make(config: BrokerConfig, clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "broker")) async throws -> BrokerRuntime {
        let hasher = BrokerPasswordHasher(argon2: Argon2PasswordHasher(parameters: Argon2Parameters(
            memoryKiB: config.security.argon2MemoryKiB, iterations: config.security.argon2Iterations,
            parallelism: config.security.argon2Parallelism
        ), threadPool: hashingPool), threadPool: hashingPool)
        // The decoy is one Argon2 hash (tens of ms): it runs on the hashing pool while the
        // store opens and the files below are read, instead of before them.
        async let decoyHash = hasher.hash(Secret(SecureTokenGenerator().token(bytes: 24)))
        // Texts, templates and the provider files are parsed beside the store's opening too
        // (YAML, a third of start-up); a broken one still stops start-up with its name.
        async let parsedLocalizer = Localizer.load()
        async let parsedCatalog = loadProviders(config)
        let store = try openStore(config)
        try await store.migrate()
        let catalog = try await parsedCatalog
        let ports = BrokerPorts(store: store, rateLimiter: store, hasher: hasher, clock: clock, sessions: SessionCache())
        let secrets = CheckWordSecrets(key: try await SecretKeyFile.key(config: config, store: store, logger: logger))
        let localizer = try await parsedLocalizer
        let keyring = Self.keyring(store: store, secrets: secrets, clock: clock)
        let decoy = try await decoyHash
        let services = try BrokerServices(
            config: config, ports: ports, providers: catalog, composer: try MustacheMessageComposer(localizer: localizer),
            secrets: secrets, gateway: ProviderGateway(catalog: catalog, clock: clock), decoyHash: decoy, metrics: Self.metrics,
            formPostProviders: Set(catalog.definitions.filter { $0.responseMode == "form_post" }.map(\.id)), localizer: localizer,
            signer: keyring, outbox: store
        )
        var settings = DeliveryWorker.Settings(maxAttempts: config.delivery.maxAttempts, backoffMaxSeconds: config.delivery.backoffMaxSeconds)
        settings.leaseSeconds = 30
        let worker = DeliveryWorker(
            outbox: store, transports: transports(config), secrets: secrets, clock: clock,
            settings: settings, logger: Logger(label: "broker.delivery")
        )
        let janitor = Janitor(
            store: store, clock: clock,
            // A code's stand-in (`UnitGate.marks`) is kept as long as a code word is.
            retention: .init(longestWindowSeconds: max(config.rateLimits.windowSeconds, config.recovery.resendCooldownSeconds,
                                                       config.recovery.codeTTLSeconds + CheckWord.keptAfterExpirySeconds)),
            logger: Logger(label: "broker.housekeeping")
        )
        return BrokerRuntime(config: config, store: store, catalog: catalog, services: services, worker: worker, janitor: janitor, keyring: keyring)
    }

    /// The id_token signing keys, sealed under a key derived from the check-word key.
    static func keyring(store: any BrokerDatabase, secrets: CheckWordSecrets, clock: any WallClock) -> SigningKeyring {
        SigningKeyring(store: store, sealingKey: secrets.derivedKey("signing-keys"), clock: clock, logger: Logger(label: "broker.keys"))
    }

    /// The keyring of `broker keys`, without the rest of the runtime.
    public static func keyring(config: BrokerConfig, store: any BrokerDatabase) async throws -> SigningKeyring {
        let secrets = CheckWordSecrets(key: try await SecretKeyFile.key(config: config, store: store, logger: Logger(label: "broker")))
        return keyring(store: store, secrets: secrets, clock: SystemWallClock())
    }

    /// The transport of each channel, as configured; a new channel is one more case here.
    static func transports(_ config: BrokerConfig) -> [BrokerCore.Channel: any MessageTransport] {
        var map: [BrokerCore.Channel: any MessageTransport] = [:]
        for channel in BrokerCore.Channel.allCases {
            switch channel {
            case .email: map[channel] = emailTransport(config)
            case .sms: map[channel] = smsTransport(config)
            }
        }
        return map
    }

    static func emailTransport(_ config: BrokerConfig) -> any MessageTransport {
        switch config.mail.transport {
        case .smtp: SMTPTransport(url: config.mail.smtpURL, username: config.mail.username, password: config.mail.password, from: config.mail.from,
                                  threadPool: transportPool)
        case .file: FileTransport(directory: config.mail.fileDirectory, threadPool: transportPool)
        }
    }

    static func smsTransport(_ config: BrokerConfig) -> any MessageTransport {
        switch config.sms.transport {
        case .http: HTTPSMSTransport(url: config.sms.httpURL, token: config.sms.httpToken, threadPool: transportPool)
        case .file: FileTransport(directory: config.sms.fileDirectory, threadPool: transportPool)
        }
    }

    /// The store `database.url` names: an SQLite file, or a PostgreSQL server shared by several instances.
    public static func openStore(_ config: BrokerConfig) throws -> any BrokerDatabase {
        switch try StoreLocation(url: config.database.url) {
        case .sqlite(let path):
            return try SQLiteStore(path: path)
        case .postgres(let url):
            return try PostgresStore(url: url, settings: .init(
                maximumConnections: config.database.maxConnections, connectTimeoutSeconds: config.database.connectTimeoutSeconds
            ))
        }
    }

    public static func loadProviders(_ config: BrokerConfig) throws -> ProviderCatalog {
        let definitions = try ProviderFileLoader.load(directory: config.providers.directory)
        let known = Set(definitions.map(\.id))
        if let unknown = config.providers.credentials.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigError(key: "providers.credentials.\(unknown)", problem: "no provider file defines '\(unknown)'")
        }
        return ProviderCatalog(definitions: definitions, credentials: config.providers.credentials)
    }

    /// The HTTP application with the delivery worker running beside it.
    public func application(logger: Logger) -> some ApplicationProtocol {
        var app = buildApplication(services: services, logger: logger)
        app.addServices(worker, janitor, MemoryTrimmer(), SigningKeyPreparation(keyring: keyring, logger: Logger(label: "broker.signing")))
        return app
    }

    /// Password hashing runs on threads of its own, one a core: sharing NIO's global pool with the
    /// SMTP and SMS transports let a burst of sign-ins delay mail, and a slow mail server delay
    /// sign-ins. Process-wide, like the cores it stands for, and started once.
    static let hashingPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    /// libcurl's SMTP and HTTP calls block a thread each while they wait on the network, and the
    /// file transport's writes block too: eight threads of their own, so a slow mail server
    /// neither holds up sign-ins nor sends one by one. (One thread for the file writes, which
    /// all wait on one folder's lock anyway, fell behind under the recovery load: on a
    /// saturated machine a pass's share of the cores follows its number of threads.)
    static let transportPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// One Prometheus registry per process, bootstrapped into swift-metrics on first use. A global
    /// because swift-metrics' bootstrap is process-wide and may happen once: the tests build
    /// several runtimes in one process and must all report into the same registry.
    public static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
