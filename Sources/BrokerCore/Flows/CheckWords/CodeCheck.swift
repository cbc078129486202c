import Foundation

/// The one way a 6-digit code is checked, for recovery and for address verification alike.
///
/// Every try counts first as a sign-in failure of the account it names (unknown
/// identifiers under their own key), so asking for new codes buys no guesses beyond
/// `rate_limits.login_per_account`. A wrong code counts against its word, which dies
/// after `maxAttempts` (then `too_many_attempts`). Where there is no live word to
/// check (none asked for, used, superseded, or the identifier is unknown) the tries
/// count on a per-subject counter with the same limit, so the answers run exactly as
/// for a live word: `invalid_code` until `maxAttempts`, then 429. No answer tells an
/// unknown identifier from a known one.
struct CodeCheck: Sendable {
    let ports: BrokerPorts
    let throttle: Throttle
    let secrets: CheckWordSecrets
    let maxAttempts: Int
    /// The life of a code: how long the stand-in counter of a subject without a live word lasts.
    let codeTTLSeconds: Int

    /// The open code word of `purpose` when `code` matches it. `account` nil: an unknown
    /// `identifier`, which is answered as a wrong code. `bound` says whether the word still
    /// belongs to the account's current address.
    func match(
        _ code: String, account: Account?, identifier: Identifier?, purpose: CheckWordPurpose, bound: (CheckWord) -> Bool = { _ in true }
    ) async throws -> CheckWord {
        let ticket = try await throttle.admitSignIn(account: account, identifier: identifier, clientAddress: nil)
        let now = ports.clock.now()
        if let account, let word = try await ports.store.latestCheckWord(accountId: account.id, purpose: purpose, kind: .code) {
            if word.revokedAt != nil, word.attempts >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
            if word.isOpen, bound(word) {
                guard word.expiresAt > now else { throw BrokerError.codeExpired }
                let candidate = code.trimmingWhitespace()
                if candidate.count == 6, candidate.allSatisfy(\.isASCIIDigit),
                   TokenHash.constantTimeEquals(secrets.codeHash(id: word.id, code: candidate), word.secretHash) {
                    await ticket.release()  // a right code is no failure
                    return word
                }
                try await ports.commit([.countCodeFailure(id: word.id, maxAttempts: maxAttempts, at: now)])
                if word.attempts + 1 >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
                throw BrokerError.invalidCode
            }
        }
        // No live word: the same sequence of answers, counted per subject.
        guard let subject = Self.subject(account: account, identifier: identifier) else { throw BrokerError.invalidCode }
        let tries = try await ports.rateLimiter.hit(key: subject, window: codeTTLSeconds, now: now)
        if tries.count >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
        throw BrokerError.invalidCode
    }

    /// The stand-in counter of a subject's code tries; a new code asked for starts it again.
    static func subject(account: Account?, identifier: Identifier?) -> String? {
        if let account { return "code:acct:" + account.id }
        return identifier.map { "code:ident:" + $0.key }
    }
}
