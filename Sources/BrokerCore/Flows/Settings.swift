import Foundation

/// The security part of the configuration that flows need.
public struct SecuritySettings: Sendable, Equatable {
    public var passwordMinLength: Int
    public var sessionTTLSeconds: Int
    public var reauthenticationSeconds: Int

    public init(passwordMinLength: Int = 8, sessionTTLSeconds: Int = 1_209_600, reauthenticationSeconds: Int = 600) {
        self.passwordMinLength = passwordMinLength
        self.sessionTTLSeconds = sessionTTLSeconds
        self.reauthenticationSeconds = reauthenticationSeconds
    }

    public var passwordPolicy: PasswordPolicy { PasswordPolicy(minLength: passwordMinLength) }

    /// Refuses a sensitive change (email, phone, login name, password, a provider linked or
    /// unlinked) unless `session` signed in within `reauthentication_seconds`.
    public func requireRecentSignIn(_ session: Session, now: Date) throws {
        guard now.timeIntervalSince(session.authenticatedAt) <= TimeInterval(reauthenticationSeconds) else {
            throw BrokerError.reauthenticationRequired
        }
    }
}

/// Throttles; a limit of 0 turns that one off, `enabled: false` all of them.
public struct RateLimitSettings: Sendable, Equatable {
    public var enabled: Bool
    public var windowSeconds: Int
    public var loginPerAccount: Int
    public var loginPerAddress: Int
    public var sendPerIdentifier: Int
    public var sendPerAddress: Int
    /// Social sign-ins started from one address in a window (each leaves an OAuth state row).
    public var startPerAddress: Int

    public init(
        enabled: Bool = true, windowSeconds: Int = 900, loginPerAccount: Int = 10, loginPerAddress: Int = 100,
        sendPerIdentifier: Int = 5, sendPerAddress: Int = 50, startPerAddress: Int = 300
    ) {
        self.startPerAddress = startPerAddress
        self.enabled = enabled
        self.windowSeconds = windowSeconds
        self.loginPerAccount = loginPerAccount
        self.loginPerAddress = loginPerAddress
        self.sendPerIdentifier = sendPerIdentifier
        self.sendPerAddress = sendPerAddress
    }

    /// The effective limit, or nil when it is off.
    func limit(_ value: Int) -> Int? { enabled && value > 0 ? value : nil }
}

/// The recovery part of the configuration.
public struct RecoverySettings: Sendable, Equatable {
    public var publicURL: String
    public var linkTTLSeconds: Int
    public var codeTTLSeconds: Int
    public var codeMaxAttempts: Int
    public var resendCooldownSeconds: Int
    public var revealMethods: Bool
    /// false: a social-only account may not set a password (`recovery.social_only_password: deny`).
    public var socialOnlyPasswordAllowed: Bool
    public var notMePauseSeconds: Int
    /// How long a "this wasn't me" link keeps working.
    public var notMeTTLSeconds: Int = 7 * 86_400

    public init(
        publicURL: String, linkTTLSeconds: Int = 3600, codeTTLSeconds: Int = 600, codeMaxAttempts: Int = 5,
        resendCooldownSeconds: Int = 60, revealMethods: Bool = false, socialOnlyPasswordAllowed: Bool = true,
        notMePauseSeconds: Int = 86_400
    ) {
        self.publicURL = publicURL
        self.linkTTLSeconds = linkTTLSeconds
        self.codeTTLSeconds = codeTTLSeconds
        self.codeMaxAttempts = codeMaxAttempts
        self.resendCooldownSeconds = resendCooldownSeconds
        self.revealMethods = revealMethods
        self.socialOnlyPasswordAllowed = socialOnlyPasswordAllowed
        self.notMePauseSeconds = notMePauseSeconds
    }
}
