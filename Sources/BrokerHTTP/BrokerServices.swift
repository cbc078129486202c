import BrokerConfiguration
import BrokerCore
import Prometheus

/// Everything the HTTP application needs, built once by the runtime (or a test) from the configuration.
public struct BrokerServices: Sendable {
    public var config: BrokerConfig
    public var ports: BrokerPorts
    public var providers: any ProviderDirectory
    public var outbox: any Outbox
    public var signIn: SignInFlow
    public var admin: AdminFlow
    public var recovery: RecoveryFlow
    public var metrics: PrometheusCollectorRegistry

    public init(
        config: BrokerConfig, ports: BrokerPorts, providers: any ProviderDirectory, outbox: any Outbox,
        composer: any MessageComposer, secrets: CheckWordSecrets, decoyHash: String, metrics: PrometheusCollectorRegistry
    ) {
        self.config = config
        self.ports = ports
        self.providers = providers
        self.outbox = outbox
        let security = config.security.settings
        self.signIn = SignInFlow(ports: ports, security: security, limits: config.rateLimits, decoyHash: decoyHash)
        self.admin = AdminFlow(ports: ports, security: security, providers: providers, actor: "admin")
        self.recovery = RecoveryFlow(
            ports: ports, settings: config.recovery.settings(publicURL: config.server.publicURL), security: security,
            limits: config.rateLimits, providers: providers, composer: composer, secrets: secrets
        )
        self.metrics = metrics
    }
}
