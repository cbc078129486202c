import Crypto
import Foundation

/// What `POST /oauth2/token` answers (RFC 6749 §5.1).
public struct TokenGrant: Sendable, Equatable {
    public var accessToken: String
    public var expiresIn: Int
    public var idToken: String
    public var scope: String
    public var refreshToken: String?
}

/// What `GET /oauth2/userinfo` answers, by the scopes the token carries.
public struct UserInfo: Codable, Sendable, Equatable {
    public var sub: String
    public var email: String?
    public var emailVerified: Bool?
    public var phoneNumber: String?
    public var phoneNumberVerified: Bool?
    public var preferredUsername: String?
    public var locale: String?

    enum CodingKeys: String, CodingKey {
        case sub, email, locale
        case emailVerified = "email_verified", phoneNumber = "phone_number", phoneNumberVerified = "phone_number_verified"
        case preferredUsername = "preferred_username"
    }
}

extension AppFlow {
    /// The app a token request comes from: a confidential client proves itself with its secret
    /// (HTTP Basic or in the form, compared in constant time), a public one only names itself.
    public func authenticateClient(id: String?, secret: String?) throws -> AppClient {
        guard let id, let client = apps.client(id: id) else { throw OAuthError.invalidClient }
        if let expected = client.secret {
            guard let secret, TokenHash.constantTimeEquals(secret, expected.value) else { throw OAuthError.invalidClient }
        } else if let secret, !secret.isEmpty {
            throw OAuthError.invalidClient  // a public client has no secret to send
        }
        return client
    }

    /// `grant_type=authorization_code`.
    public func exchange(client: AppClient, code: String?, redirectURI: String?, verifier: String?) async throws -> TokenGrant {
        guard let code, !code.isEmpty else { throw OAuthError.invalidRequest("code is missing") }
        guard let redirectURI else { throw OAuthError.invalidRequest("redirect_uri is missing") }
        let now = ports.clock.now()
        guard code.utf8.count <= 256, let token = try await ports.store.appToken(hash: TokenHash.of(code)), token.kind == .code,
              token.clientId == client.clientId
        else { throw OAuthError.invalidGrant("the code is not valid") }
        if token.usedAt != nil || token.revokedAt != nil {
            // A second use: whoever holds the tokens of the first may be an attacker, so they end.
            try await ports.commit([.revokeAppGrant(grantId: token.grantId, at: now),
                                    ports.audit("app_code_replayed", account: token.accountId, actor: "app", ["client_id": client.clientId])])
            throw OAuthError.invalidGrant("the code was used already")
        }
        guard token.expiresAt > now else { throw OAuthError.invalidGrant("the code has expired") }
        guard token.redirectURI == redirectURI else { throw OAuthError.invalidGrant("redirect_uri differs from the authorization request") }
        if let challenge = token.codeChallenge {
            guard let verifier, (43...128).contains(verifier.utf8.count), verifier.utf8.allSatisfy(Self.isVerifierByte),
                  TokenHash.constantTimeEquals(Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded(), challenge)
            else { throw OAuthError.invalidGrant("code_verifier does not match the code_challenge") }
        } else if verifier != nil {
            throw OAuthError.invalidGrant("code_verifier sent, but the authorization request had no code_challenge")
        }
        guard let (session, account) = try await liveSession(hash: token.sessionHash) else {
            throw OAuthError.invalidGrant("the sign-in this code came from has ended")
        }
        do {
            return try await issue(from: token, session: session, account: account, consuming: token.hash, nonce: token.nonce, scope: token.scope, now: now)
        } catch StoreError.stale {
            try await ports.commit([.revokeAppGrant(grantId: token.grantId, at: now)])
            throw OAuthError.invalidGrant("the code was used already")
        }
    }

    /// `grant_type=refresh_token`: the token is used up and a new one comes with the answer;
    /// presenting a used one again revokes every token of its authorization.
    public func refresh(client: AppClient, refreshToken: String?, scope raw: String?) async throws -> TokenGrant {
        guard let refreshToken, !refreshToken.isEmpty else { throw OAuthError.invalidRequest("refresh_token is missing") }
        let now = ports.clock.now()
        guard refreshToken.utf8.count <= 256, let token = try await ports.store.appToken(hash: TokenHash.of(refreshToken)),
              token.kind == .refresh, token.clientId == client.clientId
        else { throw OAuthError.invalidGrant("the refresh token is not valid") }
        if token.usedAt != nil {
            try await ports.commit([.revokeAppGrant(grantId: token.grantId, at: now),
                                    ports.audit("app_refresh_reused", account: token.accountId, actor: "app", ["client_id": client.clientId])])
            throw OAuthError.invalidGrant("the refresh token was used already")
        }
        guard token.revokedAt == nil, token.expiresAt > now else { throw OAuthError.invalidGrant("the refresh token is no longer valid") }
        var scope = token.scope
        if let raw {
            let asked = Set(raw.split(separator: " ").map(String.init))
            guard asked.isSubset(of: Set(token.scope)) else { throw OAuthError("invalid_scope", "a refresh cannot widen the scope") }
            scope = token.scope.filter(asked.contains)
        }
        guard let (session, account) = try await liveSession(hash: token.sessionHash) else {
            throw OAuthError.invalidGrant("the sign-in this token came from has ended")
        }
        do {
            return try await issue(from: token, session: session, account: account, consuming: token.hash, nonce: nil, scope: scope, now: now)
        } catch StoreError.stale {
            try await ports.commit([.revokeAppGrant(grantId: token.grantId, at: now)])
            throw OAuthError.invalidGrant("the refresh token was used already")
        }
    }

    /// `GET|POST /oauth2/userinfo`.
    public func userInfo(accessToken: String?) async throws -> UserInfo {
        let now = ports.clock.now()
        guard let accessToken, accessToken.utf8.count <= 256, let token = try await ports.store.appToken(hash: TokenHash.of(accessToken)),
              token.kind == .access, token.revokedAt == nil, token.expiresAt > now,
              let (_, account) = try await liveSession(hash: token.sessionHash), account.id == token.accountId
        else { throw OAuthError("invalid_token", "the access token is not valid") }
        var info = UserInfo(sub: account.id)
        if token.scope.contains("email"), let email = account.email {
            info.email = email
            info.emailVerified = account.emailVerified
        }
        if token.scope.contains("phone"), let phone = account.phone {
            info.phoneNumber = phone
            info.phoneNumberVerified = account.phoneVerified
        }
        if token.scope.contains("profile") {
            info.preferredUsername = account.login
            info.locale = account.locale
        }
        return info
    }

    /// A new access token (and refresh token when `offline_access` was granted) and id_token,
    /// committed with the use of the code or refresh token they replace.
    func issue(from parent: AppToken, session: Session, account: Account, consuming: String, nonce: String?, scope: [String], now: Date) async throws -> TokenGrant {
        guard account.id == parent.accountId else { throw OAuthError.invalidGrant("the grant is not valid") }
        func child(_ kind: AppToken.Kind, _ secret: String, expires: Date) -> AppToken {
            AppToken(hash: TokenHash.of(secret), kind: kind, grantId: parent.grantId, clientId: parent.clientId, accountId: account.id,
                     sessionHash: parent.sessionHash, scope: scope, authTime: parent.authTime, amr: parent.amr, createdAt: now, expiresAt: expires)
        }
        let access = ports.tokens.token(bytes: 32)
        var changes: [StoreChange] = [
            .consumeAppToken(hash: consuming, at: now),
            .insertAppToken(child(.access, access, expires: now.addingTimeInterval(TimeInterval(settings.accessTokenTTLSeconds)))),
        ]
        var refresh: String?
        if scope.contains("offline_access") {
            let secret = ports.tokens.token(bytes: 32)
            // A refresh token lives as long as the broker session it descends from.
            changes.append(.insertAppToken(child(.refresh, secret, expires: session.expiresAt)))
            refresh = secret
        }
        let seconds = Int(now.timeIntervalSince1970)
        var claims = IDTokenClaims(
            iss: settings.issuer, sub: account.id, aud: parent.clientId, exp: seconds + settings.idTokenTTLSeconds, iat: seconds,
            authTime: Int(parent.authTime.timeIntervalSince1970), nonce: nonce, amr: parent.amr, azp: parent.clientId
        )
        if scope.contains("email"), let email = account.email {
            claims.email = email
            claims.emailVerified = account.emailVerified
        }
        let idToken = try await signer.sign(claims)
        try await ports.commit(changes)
        return TokenGrant(accessToken: access, expiresIn: settings.accessTokenTTLSeconds, idToken: idToken, scope: scope.joined(separator: " "),
                          refreshToken: refresh)
    }

    static func isVerifierByte(_ byte: UInt8) -> Bool { AppAuthorizationRequest.isBase64URL(byte) || byte == 0x2E || byte == 0x7E }
}
