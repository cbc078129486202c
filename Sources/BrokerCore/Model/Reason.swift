/// Why a value was refused: a stable code that pages and the JSON envelope translate
/// (`reason.<code>` in the locale files, `{name}` filled from `values`), and the English
/// sentence operators, the CLI and import reports read. Nothing parses the English back.
public struct Reason: Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let values: [String: String]
    /// The English sentence with `{name}` placeholders.
    let english: String

    public init(_ code: String, _ english: String, _ values: [String: String] = [:]) {
        self.code = code
        self.english = english
        self.values = values
    }

    /// The English sentence, values filled in.
    public var description: String {
        values.reduce(english) { text, pair in text.replacingOccurrences(of: "{\(pair.key)}", with: pair.value) }
    }
}

extension Reason {
    // Input shape
    public static let required = Reason("required", "is required")
    public static let empty = Reason("empty", "must not be empty")
    public static let tooLong = Reason("too_long", "is too long")
    public static let invalidJSON = Reason("invalid_json", "the body is not valid JSON")
    public static let notJSONObject = Reason("not_json_object", "the body must be a JSON object")
    public static let unreadableForm = Reason("unreadable_form", "the form could not be read")
    public static let cannotChange = Reason("cannot_change", "cannot be changed here")
    public static let listedTwice = Reason("listed_twice", "is listed twice")
    public static let isoTime = Reason("iso_time", "must be an ISO 8601 time")

    /// A JSON value of the wrong type (`type`: string, boolean, number, list, object), or null where one is needed.
    public static func type(_ type: String, null: Bool = false) -> Reason {
        let names = ["string": "a string", "boolean": "true or false", "number": "a number", "list": "a list", "object": "an object"]
        let name = names[type] ?? type
        return null ? Reason("null_" + type, "must be \(name), not null") : Reason("type_" + type, "must be \(name)")
    }

    /// One of a fixed set of words (`channel`, `state`, `intent`, a locale).
    public static func oneOf(_ choices: [String]) -> Reason {
        Reason("one_of", "must be one of {x}", ["x": choices.joined(separator: ", ")])
    }

    // Identifiers
    public static let email = Reason("email", "not a valid email address")
    public static let phone = Reason("phone", "not a valid phone number (E.164, e.g. +5511999990000)")
    public static let loginLength = Reason("login_length", "must be 3 to 64 characters long")
    public static let loginCharacters = Reason("login_characters", "may contain only letters, digits, '.', '_' and '-'")
    public static let loginStart = Reason("login_start", "must start with a letter or a digit")
    public static let reserved = Reason("reserved", "is reserved")
    public static let notAllowedAddress = Reason("not_allowed_address", "is not an allowed address")

    // Passwords
    public static func minLength(_ n: Int) -> Reason { Reason("min_length", "use at least {n} characters", ["n": String(n)]) }
    public static func maxBytes(_ n: Int) -> Reason { Reason("max_bytes", "use at most {n} bytes", ["n": String(n)]) }
    public static let onlySpaces = Reason("only_spaces", "it must not be only spaces")
    public static let oneCharacter = Reason("one_character", "it repeats one character")

    // Accounts and identities
    public static let passwordNeedsIdentifier = Reason("password_needs_identifier", "a password needs a login, email or phone to sign in with")
    public static let accountNeedsIdentifier = Reason("account_needs_identifier", "an account needs a login, email, phone or identity")
    public static func unknownProvider(_ id: String) -> Reason { Reason("unknown_provider", "unknown provider '{x}'", ["x": id]) }
    public static let subjectLength = Reason("subject_length", "must be 1 to 255 characters")
    public static let needsProviderAndSubject = Reason("needs_provider_and_subject", "needs a provider and a subject")
    public static func noVerifiedAddress(_ channel: Channel) -> Reason {
        Reason("no_verified_" + channel.addressName, "the account has no verified \(channel.addressName)")
    }

    /// A detail with no translation of its own (an import report, a decoder's own words): shown as it is.
    public static func detail(_ english: String) -> Reason { Reason("detail", "{x}", ["x": english]) }
}
