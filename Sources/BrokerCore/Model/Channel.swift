/// How a message travels. Everything that differs between channels is decided here, by
/// exhaustive switches: a new channel does not compile until each rule names it.
public enum Channel: String, Sendable, CaseIterable, Codable {
    case email
    case sms

    /// What a recovery message carries: a link by email, a 6-digit code by SMS.
    public var recoveryWord: CheckWord.Kind {
        switch self {
        case .email: .link
        case .sms: .code
        }
    }

    /// The check-word purpose that proves receipt of an address on this channel.
    public var verificationPurpose: CheckWordPurpose {
        switch self {
        case .email: .verifyEmail
        case .sms: .verifyPhone
        }
    }

    /// The address's name in messages, errors and audit events ("email", "phone").
    public var addressName: String {
        switch self {
        case .email: "email"
        case .sms: "phone"
        }
    }

    /// Whether a message on this channel has an HTML part.
    public var carriesHTML: Bool {
        switch self {
        case .email: true
        case .sms: false
        }
    }
}
