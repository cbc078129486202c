import BrokerCore
import Hummingbird
import Logging
import NIOCore

/// Builds the broker's HTTP application. The executable and the tests call this
/// same function, so tests exercise the real routes and middleware.
public func buildApplication(services: BrokerServices, logger: Logger) -> Application<RouterResponder<BrokerRequestContext>> {
    let (router, _) = buildRouter(services: services)
    let idle = TimeAmount.seconds(Int64(services.config.server.idleTimeoutSeconds))
    return Application(
        router: router,
        // Idle connections close after server.idle_timeout_seconds, and so does one whose request
        // does not arrive whole within that time (a slow trickle of body bytes included).
        server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(timeout: idle)], idleTimeout: idle)),
        configuration: .init(address: .hostname(services.config.server.host, port: services.config.server.port), serverName: "broker"),
        logger: logger
    )
}

/// The router alone, with the list of routes it serves in OpenAPI path syntax.
public func buildRouter(services: BrokerServices) -> (Router<BrokerRequestContext>, [(method: String, path: String)]) {
    let router = Router(context: BrokerRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestCounterMiddleware())
    router.add(middleware: RequestLogMiddleware(level: .info))
    router.add(middleware: RequestIDMiddleware())
    if !services.config.server.trustedProxies.isEmpty {
        router.add(middleware: ClientAddressMiddleware(policy: ClientAddressPolicy(trustedProxies: services.config.server.trustedProxies)))
    }
    router.add(middleware: ErrorEnvelopeMiddleware())
    router.add(middleware: CookieWriteGuardMiddleware(allowedOrigins: services.returnTo.allowedOrigins))
    let routes = RouteRecorder(router: router)
    router.add(middleware: MethodNotAllowedMiddleware(routes: routes))
    router.add(middleware: FormActionMiddleware(allowedReturnTo: services.returnTo.allowedOrigins.sorted()))
    let cookies = SessionCookies(secure: !services.config.server.devMode)
    OperationsController(store: services.ports.store, metrics: services.metrics).addRoutes(to: routes)
    ProvidersController(directory: services.providers).addRoutes(to: routes)
    SessionController(signIn: services.signIn, cookies: cookies).addRoutes(to: routes)
    AdminAccountsController(admin: services.admin, recovery: services.recovery, adminTokens: services.config.admin.tokens).addRoutes(to: routes)
    let csrf = CSRF(secure: !services.config.server.devMode, tokens: services.ports.tokens)
    let returnTo = services.returnTo
    RecoveryController(recovery: services.recovery, returnTo: returnTo).addRoutes(to: routes)
    RecoveryPagesController(
        recovery: services.recovery, returnTo: returnTo,
        csrf: csrf,
        minPasswordLength: services.config.security.passwordMinLength
    ).addRoutes(to: routes)
    SocialController(
        social: services.social, cookies: cookies, csrf: csrf, formPostProviders: services.formPostProviders
    ).addRoutes(to: routes)
    AccountPageController(
        signIn: services.signIn, conversion: services.conversion, providers: services.providers, returnTo: returnTo, csrf: csrf, cookies: cookies
    ).addRoutes(to: routes)
    PagesController(
        recovery: services.recovery, signIn: services.signIn, providers: services.providers, returnTo: returnTo, csrf: csrf, cookies: cookies
    ).addRoutes(to: routes)
    AccountController(signIn: services.signIn, conversion: services.conversion).addRoutes(to: routes)
    if services.config.server.devMode {
        DevOutboxController(directories: [services.config.mail.fileDirectory, services.config.sms.fileDirectory]).addRoutes(to: routes)
    }
    return (router, routes.routes)
}
