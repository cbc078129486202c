import BrokerConfiguration
import BrokerCore
import Prometheus

/// Everything the HTTP application needs, built once by the runtime (or a test) from the configuration.
public struct BrokerServices: Sendable {
    public var config: BrokerConfig
    public var ports: BrokerPorts
    public var providers: any ProviderDirectory
    public var signIn: SignInFlow
    public var admin: AdminFlow
    public var metrics: PrometheusCollectorRegistry

    public init(config: BrokerConfig, ports: BrokerPorts, providers: any ProviderDirectory, decoyHash: String, metrics: PrometheusCollectorRegistry) {
        self.config = config
        self.ports = ports
        self.providers = providers
        self.signIn = SignInFlow(ports: ports, security: config.security.settings, limits: config.rateLimits, decoyHash: decoyHash)
        self.admin = AdminFlow(ports: ports, security: config.security.settings, providers: providers, actor: "admin")
        self.metrics = metrics
    }
}
