import Foundation

/// The one way a 6-digit code is checked, for recovery and for address verification alike.
///
/// Every try counts first as a sign-in failure of the account it names (unknown
/// identifiers under their own key), so asking for new codes buys no guesses beyond
/// `rate_limits.login_per_account`. Then it counts on its code, before the code is
/// compared: of any number of tries at once, at most `maxAttempts` are compared, and the
/// code dies with them (then `too_many_attempts`). Past its lifetime a code answers
/// `code_expired`.
///
/// On `/recovery/code` no answer tells an unknown identifier from a known one, nor which
/// identifiers share an account. Every recovery request for an identifier, sent or rehearsed,
/// by any channel, marks that identifier's stand-in (a counter started at the request's time,
/// `UnitGate.marks`). A try on an identifier uses
/// - the account's code word only when that very request made it (the word was made at the
///   stand-in's time): a word asked for through another identifier of the account is not this
///   identifier's to try;
/// - else the stand-in, which runs exactly as a word does: `invalid_code` until `maxAttempts`,
///   then 429 for as long as a used-up word is kept, and `code_expired` past the code's
///   lifetime;
/// - else, where nothing was asked for, a counter of the identifier: `invalid_code` until
///   `maxAttempts`, then 429 until the window ends; each request starts it again.
struct CodeCheck: Sendable {
    let ports: BrokerPorts
    let throttle: Throttle
    let secrets: CheckWordSecrets
    let maxAttempts: Int
    /// The life of a code (and of its stand-in), and the window of an identifier's counter.
    let codeTTLSeconds: Int

    /// The open code word of `purpose` when `code` matches it. `account` nil: an unknown
    /// `identifier`, which is answered as a wrong code. `identifier` nil: a signed-in account
    /// verifying an address. `bound` says whether the word still belongs to the account's
    /// current address.
    func match(
        _ code: String, account: Account?, identifier: Identifier?, purpose: CheckWordPurpose, bound: (CheckWord) -> Bool = { _ in true }
    ) async throws -> CheckWord {
        let ticket = try await throttle.admitSignIn(account: account, identifier: identifier, clientAddress: nil)
        let now = ports.clock.now()
        var asked: Date?
        if let identifier { asked = try await standIn(of: identifier, now: now) }
        if let account, let word = try await ports.store.latestCheckWord(accountId: account.id, purpose: purpose, kind: .code),
           word.expiresAt.addingTimeInterval(TimeInterval(CheckWord.keptAfterExpirySeconds)) > now,
           identifier == nil || asked.map({ Self.sameMillisecond($0, word.createdAt) }) == true {
            if word.revokedAt != nil, word.attempts >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
            if word.isOpen, bound(word) {
                let candidate = code.trimmingWhitespace()
                try await attempt(counter: Self.wordKey(word.id), expiresAt: word.expiresAt, now: now) {
                    candidate.count == 6 && candidate.allSatisfy(\.isASCIIDigit)
                        && TokenHash.constantTimeEquals(secrets.codeHash(id: word.id, code: candidate), word.secretHash)
                } wrong: {
                    // The word keeps its own count of wrong codes, and dies with the last one.
                    try await ports.commit([.countCodeFailure(id: word.id, maxAttempts: maxAttempts, at: now)])
                }
                await ticket.release()  // a right code is no failure
                return word
            }
        }
        // No live word of this identifier's: the same sequence of answers, on the stand-in of a code asked for...
        if let identifier, let asked {
            try await attempt(counter: Self.standInKey(identifier), expiresAt: asked.addingTimeInterval(TimeInterval(codeTTLSeconds)), now: now) {
                false
            } wrong: {}
        }
        // ... or, where none was, counted per identifier (per account when verifying an address).
        let subject = identifier.map(Self.subjectKey) ?? account.map { "code:acct:" + $0.id }
        guard let subject else { throw BrokerError.invalidCode }
        let tries = try await ports.rateLimiter.hit(key: subject, window: codeTTLSeconds, now: now)
        if tries.count >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
        throw BrokerError.invalidCode
    }

    /// One try on a code, or on its stand-in, both counted under `counter` for the code's whole
    /// life: 429 once `maxAttempts` tries were counted, `code_expired` past `expiresAt`; else the
    /// try is counted before it is checked (atomically, so of any number of tries at once at most
    /// `maxAttempts` are checked), and a wrong one answers `invalid_code`, or 429 when it used
    /// the code up. Returns only when `check` says the code is right; `wrong` runs before a wrong
    /// answer.
    private func attempt(counter: String, expiresAt: Date, now: Date, check: () -> Bool, wrong: () async throws -> Void) async throws {
        if let counted = try await ports.rateLimiter.started(key: counter), counted.count >= maxAttempts {
            throw BrokerError.tooManyAttempts(retryAfter: 1)
        }
        guard expiresAt > now else { throw BrokerError.codeExpired }
        let tries = try await ports.rateLimiter.hit(key: counter, window: life, now: now)
        if tries.count > maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
        if check() { return }
        try await wrong()
        if tries.count >= maxAttempts { throw BrokerError.tooManyAttempts(retryAfter: 1) }
        throw BrokerError.invalidCode
    }

    /// A code's life and the day it is kept after (`CheckWord.keptAfterExpirySeconds`): the
    /// window of the counters of its tries.
    private var life: Int { codeTTLSeconds + CheckWord.keptAfterExpirySeconds }

    /// When the recovery code last asked for `identifier` (sent or rehearsed) was asked, while
    /// its stand-in is kept: like a word, until a day past its lifetime.
    private func standIn(of identifier: Identifier, now: Date) async throws -> Date? {
        guard let kept = try await ports.rateLimiter.started(key: Self.standInKey(identifier)) else { return nil }
        return kept.start.addingTimeInterval(TimeInterval(life)) > now ? kept.start : nil
    }

    /// The stores keep times to the millisecond: a word and the stand-in marked in its unit
    /// were made at one `now`, which reads back as the same millisecond.
    static func sameMillisecond(_ a: Date, _ b: Date) -> Bool {
        (a.timeIntervalSince1970 * 1000).rounded() == (b.timeIntervalSince1970 * 1000).rounded()
    }

    /// The counter of the tries on one code word.
    static func wordKey(_ id: String) -> String { "code:word:" + id }

    /// The counter `UnitGate.marks` starts when a recovery code is asked for `identifier`.
    static func standInKey(_ identifier: Identifier) -> String { "code:sent:" + identifier.key }

    /// The counter of an identifier's tries where no code was asked for; a request starts it again.
    static func subjectKey(_ identifier: Identifier) -> String { "code:ident:" + identifier.key }
}
