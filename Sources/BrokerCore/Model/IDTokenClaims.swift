import Foundation

/// The claims of an id_token the broker signs (OpenID Connect Core §2), and of the
/// `id_token_hint` it reads back at logout.
public struct IDTokenClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var aud: String
    public var exp: Int
    public var iat: Int
    public var authTime: Int
    public var nonce: String?
    public var amr: [String]
    public var azp: String?
    public var sid: String?
    public var email: String?
    public var emailVerified: Bool?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, amr, azp, sid, email
        case authTime = "auth_time", emailVerified = "email_verified"
    }

    public init(iss: String, sub: String, aud: String, exp: Int, iat: Int, authTime: Int, nonce: String?, amr: [String], azp: String?,
                sid: String? = nil, email: String? = nil, emailVerified: Bool? = nil) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.authTime = authTime
        self.nonce = nonce
        self.amr = amr
        self.azp = azp
        self.sid = sid
        self.email = email
        self.emailVerified = emailVerified
    }
}
