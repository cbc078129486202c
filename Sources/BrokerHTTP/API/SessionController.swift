import BrokerCore
import Foundation
import Hummingbird

/// Password sign-in and the session it gives: `POST /api/v1/login`, `GET /api/v1/session`, `POST /api/v1/logout`.
struct SessionController {
    let signIn: SignInFlow
    let cookies: SessionCookies
    let answers = EncodedAnswers()

    struct LoginBody: Decodable {
        var login: String
        var password: String
    }

    struct LoginAnswer: Encodable {
        struct SessionPart: Encodable {
            var token: String
            var expiresAt: Date
            enum CodingKeys: String, CodingKey { case token, expiresAt = "expires_at" }
        }
        var session: SessionPart
        var account: AccountDocument
    }

    struct SessionAnswer: Encodable {
        struct SessionPart: Encodable {
            var expiresAt: Date
            var authenticatedAt: Date
            var methods: [String]
            enum CodingKeys: String, CodingKey { case expiresAt = "expires_at", authenticatedAt = "authenticated_at", methods }
        }
        var account: AccountDocument
        var session: SessionPart
    }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.post("/api/v1/login", use: login)
        routes.get("/api/v1/session", use: session)
        routes.post("/api/v1/logout", use: logout)
    }

    @Sendable func login(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(LoginBody.self, from: request, context: context)
        let issued = try await signIn.signIn(identifier: body.login, password: Secret(body.password), clientAddress: context.clientAddress)
        var response = try JSONResponse.make(LoginAnswer(
            session: .init(token: issued.token, expiresAt: issued.session.expiresAt), account: AccountDocument(account: issued.account)
        ))
        response.setCookie(cookies.session(token: issued.token, expiresAt: issued.session.expiresAt))
        return response
    }

    @Sendable func session(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        guard let token = SessionCookies.token(in: request) else { throw BrokerError.unauthenticated }
        let (session, account) = try await signIn.current(token: token)
        let body = try answers.body(session: session, account: account) {
            ByteBuffer(bytes: try JSONResponse.encoder.encode(SessionAnswer(
                account: AccountDocument(account: account),
                session: .init(expiresAt: session.expiresAt, authenticatedAt: session.authenticatedAt, methods: session.methods)
            )))
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }

    @Sendable func logout(_ request: Request, context: BrokerRequestContext) async throws -> Response {
        if let token = SessionCookies.token(in: request) { try await signIn.signOut(token: token) }
        var response = Response(status: .noContent)
        response.setCookie(cookies.expired())
        return response
    }
}
