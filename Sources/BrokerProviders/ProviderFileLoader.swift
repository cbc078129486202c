import Foundation
import Yams

/// Reads and validates `providers/*.yaml`. A broken file is reported with its
/// name and the key at fault; the broker refuses to start with one.
public enum ProviderFileLoader {
    static let knownKeys: Set<String> = [
        "id", "name", "protocol", "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint",
        "email_endpoint", "scopes", "claims", "pkce", "response_mode", "token_auth", "userinfo_auth",
        "recovery_url", "username_recovery_url",
    ]
    static let claimKeys: Set<String> = ["subject", "subject_scope", "email", "email_verified", "name"]

    /// Every `*.yaml`/`*.yml` file of `directory`, sorted by id.
    public static func load(directory: String) throws -> [ProviderDefinition] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ProviderFileError(file: directory, problem: "no such directory")
        }
        let files = try fm.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        var seen = Set<String>()
        var result: [ProviderDefinition] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let stem = (file as NSString).deletingPathExtension
            let definition = try parse(text, defaultId: stem, file: file)
            guard seen.insert(definition.id).inserted else {
                throw ProviderFileError(file: file, problem: "provider id '\(definition.id)' is defined twice")
            }
            result.append(definition)
        }
        return result.sorted { $0.id < $1.id }
    }

    /// Parses one provider file's text.
    public static func parse(_ text: String, defaultId: String, file: String) throws -> ProviderDefinition {
        func fail(_ problem: String) -> ProviderFileError { ProviderFileError(file: file, problem: problem) }
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch { throw fail("not valid YAML: \(error)") }
        guard let map = node as? [String: Any] else { throw fail("must be a mapping of keys") }
        if let unknown = map.keys.filter({ !knownKeys.contains($0) }).sorted().first {
            throw fail("unknown key '\(unknown)'")
        }
        func string(_ key: String, required: Bool = false) throws -> String? {
            guard let value = map[key] else {
                if required { throw fail("missing required key '\(key)'") }
                return nil
            }
            guard let s = value as? String, !s.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("'\(key)' must be a non-empty string")
            }
            return s
        }
        func url(_ key: String, required: Bool = false) throws -> String? {
            guard let s = try string(key, required: required) else { return nil }
            guard let u = URL(string: s), let scheme = u.scheme, scheme == "https" || scheme == "http", u.host != nil else {
                throw fail("'\(key)' must be an http(s) URL")
            }
            return s
        }
        func bool(_ key: String, default value: Bool) throws -> Bool {
            guard let raw = map[key] else { return value }
            guard let b = raw as? Bool else { throw fail("'\(key)' must be true or false") }
            return b
        }

        let id = try string("id") ?? defaultId
        guard id.range(of: "^[a-z0-9][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
            throw fail("id '\(id)' must be 1-32 characters of a-z, 0-9, '_' and '-'")
        }
        guard let kind = ProviderDefinition.ProtocolKind(rawValue: try string("protocol", required: true) ?? "") else {
            throw fail("'protocol' must be oidc or oauth2")
        }
        let issuer = try url("issuer", required: kind == .oidc)
        let oauth2 = kind == .oauth2
        var claims = ClaimMapping()
        if let raw = map["claims"] {
            guard let c = raw as? [String: Any] else { throw fail("'claims' must be a mapping") }
            for (key, value) in c {
                guard claimKeys.contains(key) else { throw fail("unknown claim '\(key)'") }
                guard let v = value as? String, !v.isEmpty else { throw fail("claim '\(key)' must be a string") }
                switch key {
                case "subject": claims.subject = v
                case "subject_scope": claims.subjectScope = v
                case "email": claims.email = v
                case "email_verified": claims.emailVerified = v
                default: claims.name = v
                }
            }
        }
        var scopes = ["openid", "email", "profile"]
        if let raw = map["scopes"] {
            guard let list = raw as? [Any], let s = list as? [String], !s.isEmpty else { throw fail("'scopes' must be a list of strings") }
            scopes = s
        }
        let tokenAuth = try string("token_auth") ?? "post"
        guard ["post", "basic"].contains(tokenAuth) else { throw fail("'token_auth' must be post or basic") }
        let userinfoAuth = try string("userinfo_auth") ?? "bearer"
        guard ["bearer", "oauth"].contains(userinfoAuth) else { throw fail("'userinfo_auth' must be bearer or oauth") }
        return ProviderDefinition(
            id: id, name: try string("name", required: true) ?? id, kind: kind, issuer: issuer,
            authorizationEndpoint: try url("authorization_endpoint", required: oauth2),
            tokenEndpoint: try url("token_endpoint", required: oauth2),
            userinfoEndpoint: try url("userinfo_endpoint", required: oauth2),
            emailEndpoint: try url("email_endpoint"), scopes: scopes, claims: claims,
            pkce: try bool("pkce", default: true), responseMode: try string("response_mode"),
            tokenAuth: tokenAuth, userinfoAuth: userinfoAuth,
            recoveryURL: try url("recovery_url", required: true) ?? "",
            usernameRecoveryURL: try url("username_recovery_url")
        )
    }
}

/// A provider file the broker cannot use.
public struct ProviderFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "providers: \(file): \(problem)" }
}
