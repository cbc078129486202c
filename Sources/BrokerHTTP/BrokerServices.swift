import BrokerConfiguration
import BrokerCore
import BrokerLocales
import Foundation
import Crypto
import Prometheus

/// Everything the HTTP application needs, built once by the runtime (or a test) from the configuration.
public struct BrokerServices: Sendable {
    public var config: BrokerConfig
    public var ports: BrokerPorts
    public var providers: any ProviderDirectory
    public var signIn: SignInFlow
    public var admin: AdminFlow
    public var recovery: RecoveryFlow
    public var social: SocialFlow
    public var conversion: ConversionFlow
    /// The broker as an OpenID Connect provider for the configured apps.
    public var apps: AppFlow
    public var signer: any IDTokenSigner
    /// The outbox, for the admin console's account page and its retry button.
    public var outbox: any Outbox
    /// Signs the admin console's session cookie.
    var consoleKey: SymmetricKey
    /// Signs the forms' CSRF values (`CSRF`).
    var csrfKey: SymmetricKey
    public var metrics: PrometheusCollectorRegistry
    /// Where a browser may be sent back to: the allowed origins, and the broker's own paths.
    public var returnTo: ReturnToPolicy
    /// Providers that call back with a cross-site form POST (response_mode=form_post).
    public var formPostProviders: Set<String>
    /// Texts of pages and errors in every language, loaded at start-up.
    public var localizer: Localizer
    /// The page templates and stylesheet, loaded at start-up.
    public var pages: PageRenderer
    /// The OpenAPI document served at `/openapi.json`.
    public var openAPI: Data

    public init(
        config: BrokerConfig, ports: BrokerPorts, providers: any ProviderDirectory,
        composer: any MessageComposer, secrets: CheckWordSecrets, gateway: any SocialGateway, decoyHash: String,
        metrics: PrometheusCollectorRegistry, formPostProviders: Set<String> = [], localizer: Localizer, signer: any IDTokenSigner,
        outbox: any Outbox
    ) throws {
        self.outbox = outbox
        self.consoleKey = secrets.derivedKey("admin-console")
        self.csrfKey = secrets.derivedKey("csrf")
        self.signer = signer
        self.localizer = localizer
        self.pages = try PageRenderer(localizer: localizer)
        self.pages.authorizePrefix = config.server.publicURL + AppAuthorizationRequest.path + "?"
        self.openAPI = try OpenAPIDocument.load()
        self.formPostProviders = formPostProviders
        self.config = config
        self.ports = ports
        self.providers = providers
        let security = config.security.settings
        self.returnTo = ReturnToPolicy(allowedOrigins: config.server.allowedReturnTo, base: config.server.publicURL)
        self.signIn = SignInFlow(ports: ports, security: security, limits: config.rateLimits, decoyHash: decoyHash)
        self.admin = AdminFlow(ports: ports, security: security, providers: providers, actor: "admin")
        self.recovery = RecoveryFlow(
            ports: ports, settings: config.recovery.settings(publicURL: config.server.publicURL), security: security,
            limits: config.rateLimits, providers: providers, composer: composer, secrets: secrets, returnTo: returnTo
        )
        self.conversion = ConversionFlow(
            ports: ports, security: security, recovery: config.recovery.settings(publicURL: config.server.publicURL),
            limits: config.rateLimits, composer: composer, secrets: secrets, providers: providers
        )
        self.social = SocialFlow(
            ports: ports, gateway: gateway, providers: providers, secrets: secrets,
            returnTo: returnTo, signIn: signIn, composer: composer,
            publicURL: config.server.publicURL
        )
        self.apps = AppFlow(ports: ports, signIn: signIn, apps: AppDirectory(config.apps), signer: signer,
                            settings: AppFlow.Settings(issuer: config.server.publicURL), markerKey: secrets.derivedKey("authorization-markers"))
        self.metrics = metrics
    }
}
