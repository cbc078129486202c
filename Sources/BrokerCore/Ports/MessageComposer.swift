/// Turns a message the flows want sent into its subject and bodies, in a language.
/// The flows never see a template; the adapter never decides who gets what.
public protocol MessageComposer: Sendable {
    /// Email gets a subject, a plain-text and an HTML part; SMS gets one short text.
    func compose(_ message: MessageContent, locale: String, channel: Channel) throws -> ComposedMessage
}

/// What a message says, as data.
public enum MessageContent: Sendable, Equatable {
    /// A password-reset link (email) with its "this wasn't me" link.
    case recoveryLink(link: String, notMeLink: String, minutes: Int)
    /// A 6-digit code (SMS) with its "this wasn't me" link.
    case recoveryCode(code: String, notMeLink: String, minutes: Int)
    /// A social-only account: its providers' recovery pages and sign-in links, and (unless refused by policy) a set-password link.
    case socialRecovery(providers: [ProviderLinks], setPasswordLink: String?, notMeLink: String, minutes: Int)
    /// The account's login name and the ways it can sign in.
    /// `password`: whether the account has one (said in the message's language); `providers`: their names.
    case loginReminder(login: String?, password: Bool, providers: [String])
    /// A notice that the password was just changed.
    case passwordChanged(when: String)
    /// Confirms an address being attached: a link and a code (email), or a code (SMS).
    case verifyAddress(link: String?, code: String, minutes: Int)
    /// The address asked for is already another account's; nothing was attached.
    case addressInUse
    /// Something that signs in or receives recovery changed; sent to each verified address the
    /// account had, with a "this wasn't me" link.
    case accountChanged(AccountChange, notMeLink: String)
    /// Someone signed in with a provider whose email is this account's: confirm to link it.
    case linkConfirmation(provider: String, link: String, minutes: Int)
}

/// What an account-change notice reports.
public enum AccountChange: Sendable, Equatable {
    case emailChanged(newHint: String)
    case phoneChanged(newHint: String)
    case providerLinked(provider: String)
    case providerUnlinked(provider: String)

    /// The locale key of the sentence under `message.account_changed`, and its values.
    public var text: (key: String, values: [String: String]) {
        switch self {
        case .emailChanged(let hint): ("email", ["hint": hint])
        case .phoneChanged(let hint): ("phone", ["hint": hint])
        case .providerLinked(let provider): ("linked", ["provider": provider])
        case .providerUnlinked(let provider): ("unlinked", ["provider": provider])
        }
    }
}

public struct ProviderLinks: Sendable, Equatable {
    public var name: String
    public var recoveryURL: String
    public var signInURL: String?

    public init(name: String, recoveryURL: String, signInURL: String?) {
        self.name = name
        self.recoveryURL = recoveryURL
        self.signInURL = signInURL
    }
}

public struct ComposedMessage: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String?

    public init(subject: String, text: String, html: String?) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

extension MessageContent {
    /// A lifetime as the messages say it: whole minutes, rounded up, at least 1
    /// (a 90 s code "works for 2 minutes", never "0 minutes").
    public static func minutes(_ seconds: Int) -> Int { max(1, (seconds + 59) / 60) }
}
