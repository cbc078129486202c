import BrokerCore
import Hummingbird

/// Puts the signed-in session (bearer token first, then the `broker_session` cookie) on the
/// context of every request in its group (`/api/v1/account`, the account pages). A request
/// without a live session passes on with none: the routes that need one ask
/// `context.requireSignedIn()` (401), the pages show their signed-out state.
struct SessionAuthenticator: RouterMiddleware {
    typealias Context = BrokerRequestContext

    let signIn: SignInFlow

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = SessionCookies.token(in: request) {
            do {
                let (session, account) = try await signIn.current(token: token)
                context.signedIn = SignedIn(session: session, account: account)
            } catch BrokerError.unauthenticated {
                // No live session: the route decides (401, or the signed-out page).
            }
            // Anything else (the database gone) is the route's error too: 503, not a false 401.
        }
        return try await next(request, context)
    }
}

/// The session a request came with, and its account, as `SessionAuthenticator` found them.
struct SignedIn: Sendable {
    var session: Session
    var account: Account

    var pair: (Session, Account) { (session, account) }
}
