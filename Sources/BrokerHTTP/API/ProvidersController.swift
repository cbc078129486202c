import BrokerCore
import Hummingbird

/// `GET /api/v1/providers`: what a login page needs to list social buttons and recovery links.
struct ProvidersController {
    let directory: any ProviderDirectory

    struct Answer: Encodable {
        struct Item: Encodable {
            let p: ProviderSummary
            enum CodingKeys: String, CodingKey {
                case id, name, `protocol`, signIn = "sign_in", recoveryURL = "recovery_url", usernameRecoveryURL = "username_recovery_url"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(p.id, forKey: .id)
                try c.encode(p.name, forKey: .name)
                try c.encode(p.protocol, forKey: .protocol)
                try c.encode(p.signIn, forKey: .signIn)
                try c.encode(p.recoveryURL, forKey: .recoveryURL)
                try c.encode(p.usernameRecoveryURL, forKey: .usernameRecoveryURL)
            }
        }
        var providers: [Item]
    }

    func addRoutes(to routes: some RouterMethods<BrokerRequestContext>) {
        routes.get("/api/v1/providers", use: list)
    }

    @Sendable func list(_ _: Request, context _: BrokerRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "public, max-age=60"
        return try JSONResponse.make(Answer(providers: directory.providers().map(Answer.Item.init)), headers: headers)
    }
}
