import BrokerCore
import Hummingbird
import Logging
import NIOCore

/// Builds the broker's HTTP application. The executable and the tests call this
/// same function, so tests exercise the real routes and middleware.
public func buildApplication(services: BrokerServices, logger: Logger) -> Application<RouterResponder<BrokerRequestContext>> {
    let router = buildRouter(services: services)
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

/// The router alone. Its routes (`Router.routes`) are what the OpenAPI test compares the document with.
public func buildRouter(services: BrokerServices) -> Router<BrokerRequestContext> {
    let router = Router(context: BrokerRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestCounterMiddleware())
    router.add(middleware: RequestLogMiddleware(level: .info))
    router.add(middleware: RequestIDMiddleware())
    if !services.config.server.trustedProxies.isEmpty {
        router.add(middleware: ClientAddressMiddleware(policy: ClientAddressPolicy(trustedProxies: services.config.server.trustedProxies)))
    }
    router.add(middleware: ErrorEnvelopeMiddleware(envelope: ErrorEnvelope(localizer: services.localizer)))
    router.add(middleware: CookieWriteGuardMiddleware(allowedOrigins: services.returnTo.allowedOrigins))
    // Forms end in redirects to the allowed return_to origins, and through /oauth2/authorize and
    // /oauth2/logout to the apps' registered URIs: form-action must list them all.
    let appOrigins = services.apps.apps.all.flatMap { $0.redirectURIs + $0.postLogoutRedirectURIs }.compactMap(ReturnToPolicy.origin(of:))
    router.add(middleware: AppCORSMiddleware(origins: Set(appOrigins)))
    router.add(middleware: FormActionMiddleware(allowedReturnTo: Set(services.returnTo.allowedOrigins).union(appOrigins).sorted()))
    let cookieDomain = services.config.server.cookieDomain
    let cookies = SessionCookies(secure: !services.config.server.devMode, domain: cookieDomain.isEmpty ? nil : cookieDomain)
    let csrf = CSRF(secure: !services.config.server.devMode, tokens: services.ports.tokens, key: services.csrfKey,
                    allowedOrigins: services.returnTo.allowedOrigins)
    let returnTo = services.returnTo
    let sessions = SessionAuthenticator(signIn: services.signIn)

    let renderer = services.pages
    // Page routes: whatever they throw is answered as an HTML page (PageErrorMiddleware).
    let pages = router.group().add(middleware: PageErrorMiddleware(renderer: renderer))

    OperationsController(store: services.ports.store, metrics: services.metrics, openAPI: services.openAPI).addRoutes(to: router)
    ProvidersController(directory: services.providers).addRoutes(to: router)
    SessionController(signIn: services.signIn, cookies: cookies).addRoutes(to: router)
    RecoveryController(recovery: services.recovery).addRoutes(to: router)
    OIDCController(apps: services.apps, signer: services.signer).addRoutes(to: router)
    AccountController(conversion: services.conversion)
        .addRoutes(to: router.group("/api/v1/account").add(middleware: sessions))
    AdminAccountsController(admin: services.admin, recovery: services.recovery)
        .addRoutes(to: router.group("/api/v1/admin").add(middleware: AdminTokenAuthenticator(tokens: services.config.admin.tokens)))
    RecoveryPagesController(
        recovery: services.recovery, renderer: renderer, returnTo: returnTo, csrf: csrf, cookies: cookies,
        minPasswordLength: services.config.security.passwordMinLength
    ).addRoutes(to: pages)
    AuthorizeController(apps: services.apps, renderer: renderer, csrf: csrf, cookies: cookies).addRoutes(to: pages)
    AdminConsoleController(
        admin: services.admin, recovery: services.recovery, outbox: services.outbox, store: services.ports.store, providers: services.providers,
        renderer: renderer, csrf: csrf,
        session: AdminConsoleSession(key: services.consoleKey, tokens: services.config.admin.tokens, secure: !services.config.server.devMode),
        limits: services.config.rateLimits, clock: services.ports.clock
    ).addRoutes(to: pages)
    SocialController(
        social: services.social, renderer: renderer, cookies: cookies, csrf: csrf, formPostProviders: services.formPostProviders
    ).addRoutes(to: router.group().add(middleware: PageErrorMiddleware(renderer: renderer, title: "sign_in_problem_title", onlyForBrowsers: true)))
    AccountPageController(
        signIn: services.signIn, conversion: services.conversion, providers: services.providers, renderer: renderer, returnTo: returnTo,
        csrf: csrf, cookies: cookies
    ).addRoutes(to: pages.group().add(middleware: sessions))
    PagesController(
        recovery: services.recovery, signIn: services.signIn, providers: services.providers, renderer: renderer, returnTo: returnTo,
        csrf: csrf, cookies: cookies, apps: services.apps
    ).addRoutes(to: pages)
    if services.config.server.devMode {
        DevOutboxController(directories: [services.config.mail.fileDirectory, services.config.sms.fileDirectory]).addRoutes(to: router)
    }
    // Last, so that it runs on the not-found path only, knowing every route.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes.map { ($0.method.rawValue, $0.path.description) }))
    return router
}
