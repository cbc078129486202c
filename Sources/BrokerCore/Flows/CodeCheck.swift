/// The one way a 6-digit code is checked, for recovery and for address verification alike.
extension BrokerPorts {
    /// The account's open code word of `purpose` when `code` matches it. A wrong code counts
    /// against the word, which dies after `maxAttempts` (then `too_many_attempts`); a used,
    /// superseded or no-longer-bound word is `invalid_code`, an old one `code_expired`.
    /// `bound` says whether the word still belongs to the account's current address.
    func matchCode(
        _ code: String, accountId: String, purpose: CheckWordPurpose, maxAttempts: Int, bound: (CheckWord) -> Bool = { _ in true }
    ) async throws -> CheckWord {
        guard let word = try await store.latestCheckWord(accountId: accountId, purpose: purpose, kind: .code) else {
            throw BrokerError.invalidCode
        }
        let now = clock.now()
        if word.revokedAt != nil {
            throw word.attempts >= maxAttempts ? BrokerError.tooManyAttempts(retryAfter: 1) : BrokerError.invalidCode
        }
        guard word.usedAt == nil, bound(word) else { throw BrokerError.invalidCode }
        guard word.expiresAt > now else { throw BrokerError.codeExpired }
        let candidate = code.trimmingWhitespace()
        guard candidate.count == 6, candidate.allSatisfy(\.isASCIIDigit),
              TokenHash.constantTimeEquals(CheckWord.codeHash(id: word.id, code: candidate), word.secretHash)
        else {
            try await commit([.countCodeFailure(id: word.id, maxAttempts: maxAttempts, at: now)])
            if word.attempts + 1 >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
            throw BrokerError.invalidCode
        }
        return word
    }
}
