import Foundation

/// Signs the broker's id_tokens and publishes the keys that check them. The adapter keeps the
/// keys (sealed in the store) and does the JOSE work with jwt-kit; flows see claims only.
public protocol IDTokenSigner: Sendable {
    /// The compact JWS of `claims`, signed RS256 with the current key.
    func sign(_ claims: IDTokenClaims) async throws -> String
    /// The claims of a token this broker signed with a key it still lists, whatever its `exp`
    /// (an `id_token_hint` may have expired); nil when the signature does not check.
    func claims(ofOwnToken token: String) async -> IDTokenClaims?
    /// The JWKS document (`GET /oauth2/jwks`): the current key and the retired ones still listed.
    func jwks() async throws -> Data
}
