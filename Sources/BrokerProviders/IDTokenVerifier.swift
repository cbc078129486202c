import BrokerCore
import Foundation
import JWTKit

/// Verifies an OpenID Connect id_token: signature against the provider's JWKS
/// (jwt-kit), an allow-list of asymmetric algorithms (never `none`, never HMAC),
/// then iss, aud, azp, exp (60 s leeway), iat and nonce. Any failure is
/// `BrokerError.invalidIDToken` and no session is made.
public struct IDTokenVerifier: Sendable {
    public static let allowedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
    public static let leeway: TimeInterval = 60

    public let issuer: String
    public let clientId: String

    public init(issuer: String, clientId: String) {
        self.issuer = issuer
        self.clientId = clientId
    }

    /// The token's claims when every check passes.
    public func verify(_ token: String, keys: JWTKeyCollection, nonce: String, now: Date) async throws -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URL(parts[0]), let payloadData = Self.base64URL(parts[1]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              let claims = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw BrokerError.invalidIDToken("malformed") }
        guard let alg = header["alg"] as? String, Self.allowedAlgorithms.contains(alg) else {
            throw BrokerError.invalidIDToken("algorithm not allowed")
        }
        do {
            _ = try await keys.verify(token, as: SignatureOnly.self)
        } catch {
            throw BrokerError.invalidIDToken("signature")
        }
        // Microsoft's multi-tenant discovery names its issuer with a {tenantid} placeholder: the token's tid fills it.
        let expectedIssuer = issuer.contains("{tenantid}") ? issuer.replacingOccurrences(of: "{tenantid}", with: claims["tid"] as? String ?? "\u{0}") : issuer
        guard (claims["iss"] as? String) == expectedIssuer else { throw BrokerError.invalidIDToken("issuer") }
        let audience: [String] = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        guard audience.contains(clientId) else { throw BrokerError.invalidIDToken("audience") }
        if let azp = claims["azp"] as? String, azp != clientId { throw BrokerError.invalidIDToken("authorized party") }
        if audience.count > 1, claims["azp"] == nil { throw BrokerError.invalidIDToken("authorized party") }
        guard let exp = (claims["exp"] as? NSNumber)?.doubleValue, now.timeIntervalSince1970 < exp + Self.leeway else {
            throw BrokerError.invalidIDToken("expired")
        }
        if let iat = (claims["iat"] as? NSNumber)?.doubleValue, iat > now.timeIntervalSince1970 + Self.leeway {
            throw BrokerError.invalidIDToken("issued in the future")
        }
        guard let tokenNonce = claims["nonce"] as? String, TokenHash.constantTimeEquals(tokenNonce, nonce) else {
            throw BrokerError.invalidIDToken("nonce")
        }
        guard claims["sub"] is String else { throw BrokerError.invalidIDToken("no subject") }
        return claims
    }

    static func base64URL(_ part: Substring) -> Data? {
        var s = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    /// jwt-kit checks the signature; the claims are checked above, with the broker's clock.
    struct SignatureOnly: JWTPayload {
        init(from decoder: any Decoder) throws {}
        func encode(to encoder: any Encoder) throws {}
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
