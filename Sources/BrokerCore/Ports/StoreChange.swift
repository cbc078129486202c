import Foundation

/// One write inside a unit of work. A flow decides what to write; the store
/// applies a whole list in one transaction, or none of it. Changes that carry
/// a precondition (an account's version, a session still live) fail the whole
/// list with `StoreError.stale` when the precondition no longer holds, the
/// portable form of Kratos' `UPDATE ... WHERE used_at IS NULL`.
public enum StoreChange: Sendable {
    /// Inserts the account row and each of its identities.
    case insertAccount(Account)
    /// Overwrites the account's own columns (not its identities) when its version is still `account.version`; the stored version becomes `account.version + 1`.
    case updateAccount(Account)
    case deleteAccount(id: String)
    case insertIdentity(accountId: String, Identity)
    /// Fails as stale when no such identity belongs to the account.
    case deleteIdentity(accountId: String, provider: String, subject: String)
    case insertSession(Session)
    /// Revokes every live session of the account, except the one with `exceptTokenHash`.
    case revokeSessions(accountId: String, exceptTokenHash: String?, at: Date)
    case revokeSession(tokenHash: String, at: Date)
    case insertAudit(AuditEvent)
    case insertCheckWord(CheckWord)
    /// Revokes every open (unused, unrevoked) word of the account with one of `purposes`.
    case revokeCheckWords(accountId: String, purposes: [CheckWordPurpose], at: Date)
    /// Marks a word used; stale when it was already used or revoked meanwhile (single use under races).
    case consumeCheckWord(id: String, at: Date)
    /// Counts a wrong code; the word is revoked once it has had `maxAttempts` wrong tries.
    case countCodeFailure(id: String, maxAttempts: Int, at: Date)
    case enqueueMessage(OutboxMessage)
    case insertOAuthState(OAuthState)
    /// Marks a state used; stale when it was used already (a replayed callback).
    case consumeOAuthState(id: String, at: Date)
    case insertAppToken(AppToken)
    /// Marks a code or refresh token used; stale when it was used or revoked meanwhile.
    case consumeAppToken(hash: String, at: Date)
    /// Revokes every token of one authorization (a replayed code or refresh token).
    case revokeAppGrant(grantId: String, at: Date)
    case insertSigningKey(SigningKeyRecord)
    /// Retires every key but `exceptKid`; retired keys stay listed until `listedUntil`.
    case retireSigningKeys(exceptKid: String, at: Date, listedUntil: Date)
}

/// What a store adapter reports; flows turn these into `BrokerError`s.
public enum StoreError: Error, Sendable, Equatable {
    /// A unique column already holds this value: "login", "email", "phone" or "identity".
    case conflict(field: String)
    /// A precondition of a change no longer holds (concurrent update, already consumed).
    case stale
    /// The database cannot be reached or answered with an error.
    case unavailable(String)
}
