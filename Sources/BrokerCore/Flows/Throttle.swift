import Foundation

/// The one way a flow counts attempts: first, atomically, from the count the store's
/// upsert returns, and only then is anything looked at, hashed or sent. Of any number
/// of concurrent attempts, no more than a limit ever get past `admit` in one window,
/// and a refused attempt costs no hashing (the Security rules' "count before check").
struct Throttle: Sendable {
    let limiter: any RateLimiter
    let limits: RateLimitSettings
    let clock: any WallClock

    /// One counter to add to, with its limit (nil: that limit is off, nothing is counted).
    struct Check: Sendable {
        var key: String
        var limit: Int?
    }

    /// The attempts `admit` counted; `release()` takes them back when the attempt turned out
    /// not to be a failure (a right password, a right code).
    struct Ticket: Sendable {
        let keys: [String]
        let limiter: any RateLimiter

        func release() async {
            for key in keys { try? await limiter.release(key: key) }
        }
    }

    /// Counts one attempt on each check in order and refuses with `refusal(retryAfter)` at the
    /// first count past its limit; the checks after it are not counted.
    func admit(_ checks: [Check], window: Int? = nil, refusal: (Int) -> BrokerError) async throws -> Ticket {
        let now = clock.now()
        var counted: [String] = []
        for check in checks {
            guard let limit = check.limit else { continue }
            let count = try await limiter.hit(key: check.key, window: window ?? limits.windowSeconds, now: now)
            counted.append(check.key)
            if count.count > limit { throw refusal(count.retryAfter(now: now)) }
        }
        return Ticket(keys: counted, limiter: limiter)
    }

    // MARK: the keys every flow shares

    /// Sign-in failures of an account: wrong passwords, wrong codes, wrong link-proof passwords.
    func signInFailures(account: Account?, identifier: Identifier?, clientAddress: String?) -> [Check] {
        var checks: [Check] = []
        if let subject = account.map({ "acct:" + $0.id }) ?? identifier.map({ "ident:" + $0.key }) {
            checks.append(Check(key: "login:" + subject, limit: limits.limit(limits.loginPerAccount)))
        }
        if let address = clientAddress.map(ClientAddressPolicy.throttleKey) {
            checks.append(Check(key: "login:addr:" + address, limit: limits.limit(limits.loginPerAddress)))
        }
        return checks
    }

    /// Counts a sign-in attempt before its secret is checked; 429 `too_many_attempts` past either limit.
    func admitSignIn(account: Account?, identifier: Identifier?, clientAddress: String?) async throws -> Ticket {
        try await admit(signInFailures(account: account, identifier: identifier, clientAddress: clientAddress)) {
            BrokerError.tooManyAttempts(retryAfter: $0)
        }
    }

    /// The counters of a message sent (or refused) for `subject` and the client address.
    func sendChecks(subject: String, clientAddress: String?) -> [Check] {
        var checks = [Check(key: "send:" + subject, limit: limits.limit(limits.sendPerIdentifier))]
        if let address = clientAddress.map(ClientAddressPolicy.throttleKey) {
            checks.append(Check(key: "send:addr:" + address, limit: limits.limit(limits.sendPerAddress)))
        }
        return checks
    }

    /// Counts a message sent (or refused) for `subject` and the client address; 429 `too_many_requests`.
    func admitSend(subject: String, clientAddress: String?) async throws {
        _ = try await admit(sendChecks(subject: subject, clientAddress: clientAddress)) { BrokerError.tooManyRequests(retryAfter: $0) }
    }

    /// The same counters for a unit that takes them in its own transaction, before its changes
    /// (`BrokerPorts.commit(_:behind:)`): the hot sends count and write with one wait for the writer.
    func sendGate(
        subject: String, clientAddress: String?, window: (key: String, seconds: Int)? = nil, resets: [String] = [], marks: [String] = []
    ) -> UnitGate {
        let counted = sendChecks(subject: subject, clientAddress: clientAddress).compactMap { check in
            check.limit.map { UnitGate.Limit(key: check.key, window: limits.windowSeconds, limit: $0) }
        }
        return UnitGate(limits: counted, window: window, resets: resets, marks: marks, now: clock.now())
    }

    /// Checks the password of a known account, counted first as a sign-in attempt of that account
    /// (the link-proof page, a password change): a wrong one is a failure, too many are 429.
    func checkPassword(_ password: Secret, of account: Account, hasher: any PasswordHasher, clientAddress: String?) async throws -> Bool {
        let ticket = try await admitSignIn(account: account, identifier: nil, clientAddress: clientAddress)
        guard let hash = account.passwordHash, case .match = try await hasher.verify(password, against: hash) else { return false }
        await ticket.release()
        return true
    }
}

extension BrokerPorts {
    func throttle(_ limits: RateLimitSettings) -> Throttle { Throttle(limiter: rateLimiter, limits: limits, clock: clock) }
}
