import Foundation

/// One line of an import file, validated as strictly as the admin API would:
/// normalised addresses, a known provider for each identity, a recognised hash.
public struct ImportRecord: Sendable {
    public var account: Account
    /// Which of the fields that have defaults the line gave a value (not missing, not null):
    /// `--update` keeps the account's own value for the others.
    public var given: Given = []

    public struct Given: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let emailVerified = Given(rawValue: 1)
        public static let phoneVerified = Given(rawValue: 2)
        public static let locale = Given(rawValue: 4)
        public static let state = Given(rawValue: 8)
    }

    /// The unique values of the line, as `AccountStore.existingKeys` names them.
    public var keys: [String] {
        var keys: [String] = []
        if let l = account.login { keys.append("login:" + l.lowercased()) }
        if let e = account.email { keys.append("email:" + e) }
        if let p = account.phone { keys.append("phone:" + p) }
        keys += account.identities.map { "identity:" + $0.provider + " " + $0.subject }
        return keys
    }

    /// Parses and validates one JSON line. `hashProblem` says why a hash string is refused (unknown format, over the cost caps), or nil;
    /// `keycloak` turns Keycloak's credential object into the stored string.
    public static func parse(
        _ line: String, id: String, now: Date, providers: any ProviderDirectory, hashProblem: (String) -> String?,
        keycloak: ([String: Any]) -> String?
    ) throws -> ImportRecord {
        guard let data = line.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) else {
            throw BrokerError.invalidRequest(field: nil, reason: .invalidJSON)
        }
        guard let o = object as? [String: Any] else { throw BrokerError.invalidRequest(field: nil, reason: .notJSONObject) }
        func string(_ key: String) throws -> String? {
            guard let v = o[key], !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw BrokerError.invalidRequest(field: key, reason: .type("string")) }
            return s
        }
        func bool(_ key: String) throws -> Bool {
            guard let v = o[key], !(v is NSNull) else { return false }
            guard let b = v as? Bool else { throw BrokerError.invalidRequest(field: key, reason: .type("boolean")) }
            return b
        }
        var given: Given = []
        for (key, flag) in [("email_verified", Given.emailVerified), ("phone_verified", .phoneVerified), ("locale", .locale), ("state", .state)]
        where o[key] != nil && !(o[key] is NSNull) { given.insert(flag) }
        var account = Account(id: try string("id").flatMap { $0.isEmpty || $0.utf8.count > 64 ? nil : $0 } ?? id, createdAt: now)
        account.login = try string("login").map { try IdentifierPolicy.login($0) }
        account.email = try string("email").map { try IdentifierPolicy.email($0) }
        let emailVerified = try bool("email_verified")
        account.emailVerified = account.email != nil && emailVerified
        account.phone = try string("phone").map { try IdentifierPolicy.phone($0) }
        let phoneVerified = try bool("phone_verified")
        account.phoneVerified = account.phone != nil && phoneVerified
        account.locale = try string("locale").map { try LocalePolicy.validate($0) } ?? LocalePolicy.fallback
        if let state = try string("state") {
            guard let parsed = AccountState(rawValue: state) else { throw BrokerError.invalidRequest(field: "state", reason: .oneOf(["active", "blocked"])) }
            account.state = parsed
        }
        if let created = try string("created_at") {
            guard let date = (try? Date(created, strategy: .iso8601))
                ?? (try? Date(created, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) else {
                throw BrokerError.invalidRequest(field: "created_at", reason: .isoTime)
            }
            account.createdAt = date
        }
        account.updatedAt = now
        switch o["password_hash"] {
        case nil, is NSNull: break
        case let s as String:
            if let problem = hashProblem(s) { throw BrokerError.invalidRequest(field: "password_hash", reason: .detail(problem)) }
            account.passwordHash = s
        case let object as [String: Any]:
            guard let s = keycloak(object) else { throw BrokerError.invalidRequest(field: "password_hash", reason: .detail("not a Keycloak PBKDF2 credential")) }
            if let problem = hashProblem(s) { throw BrokerError.invalidRequest(field: "password_hash", reason: .detail(problem)) }
            account.passwordHash = s
        default:
            throw BrokerError.invalidRequest(field: "password_hash", reason: .detail("must be a string or a Keycloak credential object"))
        }
        if let raw = o["identities"], !(raw is NSNull) {
            guard let list = raw as? [Any] else { throw BrokerError.invalidRequest(field: "identities", reason: .type("list")) }
            var seen = Set<String>()
            for (i, item) in list.enumerated() {
                let field = "identities[\(i)]"
                guard let ident = item as? [String: Any], let provider = ident["provider"] as? String, let subject = ident["subject"] as? String,
                      !subject.trimmingWhitespace().isEmpty, subject.utf8.count <= 255
                else { throw BrokerError.invalidRequest(field: field, reason: .needsProviderAndSubject) }
                guard providers.provider(id: provider) != nil else { throw BrokerError.invalidRequest(field: field + ".provider", reason: .unknownProvider(provider)) }
                let email = try (ident["email"] as? String).map { try IdentifierPolicy.email($0, field: field + ".email") }
                guard seen.insert(provider + " " + subject).inserted else { throw BrokerError.invalidRequest(field: field, reason: .listedTwice) }
                account.identities.append(Identity(provider: provider, subject: subject.trimmingWhitespace(), email: email, createdAt: account.createdAt))
            }
        }
        guard account.login != nil || account.email != nil || account.phone != nil || !account.identities.isEmpty else {
            throw BrokerError.invalidRequest(field: nil, reason: .accountNeedsIdentifier)
        }
        if account.passwordHash != nil, account.login == nil, account.email == nil, account.phone == nil {
            throw BrokerError.invalidRequest(field: "password_hash", reason: .passwordNeedsIdentifier)
        }
        return ImportRecord(account: account, given: given)
    }
}
