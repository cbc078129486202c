/// The one place where emails, phones and login names are normalised and
/// validated, so the API, the CLI and import agree on every rule.
public enum IdentifierPolicy {
    /// Words no one may take as a login name: they read like staff or system accounts.
    public static let reservedLogins: Set<String> = [
        "admin", "administrator", "root", "support", "help", "system", "sysadmin", "security",
        "postmaster", "hostmaster", "webmaster", "abuse", "noreply", "no-reply", "mailer-daemon",
        "broker", "api", "auth", "account", "accounts", "recover", "recovery", "login", "logout",
        "null", "undefined", "anonymous", "guest", "staff", "moderator", "owner", "info",
    ]

    /// Trimmed, lower-cased, and shaped like an address (`local@domain.tld`).
    public static func email(_ raw: String, field: String = "email") throws -> String {
        let value = raw.trimmingWhitespace().lowercased()
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.utf8.count <= 254, parts.count == 2,
              let local = parts.first, let domain = parts.last,
              !local.isEmpty, local.utf8.count <= 64,
              domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
              value.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value != 127 && !"()<>,;:\\\"[]".unicodeScalars.contains($0) })
        else {
            throw BrokerError.invalidRequest(field: field, reason: .email)
        }
        return value
    }

    /// E.164: spaces, dashes, dots and parentheses removed; then at most one '+', before every
    /// digit ("(+55) 11.99999-0000" is "+5511999990000"); 7 to 15 digits, the first not 0.
    public static func phone(_ raw: String, field: String = "phone") throws -> String {
        let invalid = BrokerError.invalidRequest(field: field, reason: .phone)
        var digits = ""
        var sawPlus = false
        for ch in raw.trimmingWhitespace() {
            switch ch {
            case " ", "-", ".", "(", ")": continue
            case "+":
                guard digits.isEmpty, !sawPlus else { throw invalid }
                sawPlus = true
            case "0"..."9": digits.append(ch)
            default: throw invalid
            }
        }
        guard (7...15).contains(digits.count), digits.first != "0" else { throw invalid }
        return "+" + digits
    }

    /// 3 to 64 characters of `a-z A-Z 0-9 . _ -`, starting with a letter or digit, not reserved.
    /// The case the person typed is kept; uniqueness ignores case.
    public static func login(_ raw: String, field: String = "login") throws -> String {
        let value = raw.trimmingWhitespace()
        guard (3...64).contains(value.count) else {
            throw BrokerError.invalidRequest(field: field, reason: .loginLength)
        }
        guard value.unicodeScalars.allSatisfy({ $0.isASCIIAlphanumeric || $0 == "." || $0 == "_" || $0 == "-" }) else {
            throw BrokerError.invalidRequest(field: field, reason: .loginCharacters)
        }
        guard let first = value.unicodeScalars.first, first.isASCIIAlphanumeric else {
            throw BrokerError.invalidRequest(field: field, reason: .loginStart)
        }
        guard !reservedLogins.contains(value.lowercased()) else {
            throw BrokerError.invalidRequest(field: field, reason: .reserved)
        }
        return value
    }

    /// What kind of identifier a person typed into a sign-in or recovery form.
    public static func classify(_ raw: String, field: String = "identifier") throws -> Identifier {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw BrokerError.invalidRequest(field: field, reason: .empty) }
        guard trimmed.utf8.count <= 320 else { throw BrokerError.invalidRequest(field: field, reason: .tooLong) }
        if trimmed.contains("@") { return .email(try email(trimmed, field: field)) }
        if trimmed.hasPrefix("+") || trimmed.hasPrefix("(") { return .phone(try phone(trimmed, field: field)) }
        do {
            return .login(try login(trimmed, field: field))
        } catch {
            // "55 11 99999-0000": no login name can have the spaces, so it is a phone typed without '+'.
            if let phone = try? phone(trimmed, field: field) { return .phone(phone) }
            throw error
        }
    }
}

/// A normalised identifier.
public enum Identifier: Sendable, Equatable {
    case login(String)
    case email(String)
    case phone(String)

    /// A login name made only of digits (and phone punctuation) may be a phone typed without
    /// '+': the phone it reads as, which sign-in, recovery and every counter use too. The one
    /// place this rule is decided.
    public var phoneReading: String? {
        guard case .login(let v) = self else { return nil }
        return try? IdentifierPolicy.phone(v)
    }

    /// A stable key for counters: the kind and the normalised value (login names lower-cased).
    public var key: String {
        switch self {
        // Digits that could be a phone count as that phone: sign-in and recovery find the
        // phone's account by them, so "5511999990000" and "+5511999990000" share one limit.
        case .login(let v): phoneReading.map { "phone:" + $0 } ?? "login:" + v.lowercased()
        case .email(let v): "email:" + v
        case .phone(let v): "phone:" + v
        }
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}

extension StringProtocol {
    /// Leading and trailing spaces, tabs and newlines removed.
    public func trimmingWhitespace() -> String {
        // Fast path: nothing to trim when both ends are visible ASCII (a token, most identifiers).
        let whole = String(self)
        if let first = whole.utf8.first, let last = whole.utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return whole
        }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start...end])
        return String(result)
    }
}

extension Character {
    /// 0-9 only (not every Unicode digit): codes and phone numbers are ASCII.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
