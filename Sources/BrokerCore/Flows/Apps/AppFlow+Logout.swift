import Foundation

extension AppFlow {
    /// What `GET /oauth2/logout` (RP-initiated logout) comes to.
    public enum LogoutDecision: Sendable, Equatable {
        /// Signed out; go to the app's registered `post_logout_redirect_uri` (with `state`), or
        /// show the "signed out" page when there is none.
        case signedOut(redirect: String?)
        /// No valid `id_token_hint`: a page asks the person to confirm, so that a link on another
        /// site cannot sign them out.
        case confirm(clientId: String?)
    }

    /// A logout request. `confirmed` is the person's own POST from the confirmation page.
    public func logout(idTokenHint: String?, clientId: String?, postLogoutRedirectURI: String?, state: String?,
                       sessionToken: String?, confirmed: Bool) async throws -> LogoutDecision {
        var hint: IDTokenClaims?
        if let idTokenHint, !idTokenHint.isEmpty {
            guard idTokenHint.utf8.count <= 8192, let claims = await signer.claims(ofOwnToken: idTokenHint), claims.iss == settings.issuer else {
                throw OAuthError.invalidRequest("id_token_hint was not issued by this broker")
            }
            if let clientId, clientId != claims.aud { throw OAuthError.invalidRequest("client_id differs from the id_token_hint's audience") }
            hint = claims
        }
        let client = (hint?.aud ?? clientId).flatMap(apps.client(id:))
        if (hint?.aud ?? clientId) != nil, client == nil { throw OAuthError.invalidRequest("unknown client_id") }
        var redirect: String?
        if let uri = postLogoutRedirectURI {
            guard let client, client.postLogoutRedirectURIs.contains(uri) else {
                throw OAuthError.invalidRequest("post_logout_redirect_uri is not registered for this client")
            }
            redirect = AppAuthorizationRequest.redirect(uri, [("state", state)])
        }
        let current = try await liveSession(token: sessionToken)
        guard hint != nil || confirmed || current == nil else { return .confirm(clientId: client?.clientId) }
        if let (session, account) = current {
            // A hint for somebody else does not end this browser's session.
            if hint == nil || hint?.sub == account.id {
                try await ports.commit([
                    .revokeSession(tokenHash: session.tokenHash, at: ports.clock.now()),
                    ports.audit("signed_out", account: account.id, actor: "user", ["client_id": client?.clientId ?? ""]),
                ])
            }
        }
        return .signedOut(redirect: redirect)
    }
}
