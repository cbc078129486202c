import BrokerCore
import Foundation

/// Reads the `apps:` list (the broker as an OpenID Connect provider). It is a list of mappings,
/// which the flat key schema cannot hold, so it is read here with the same strictness: unknown
/// keys, a bad client id, a redirect URI that is not an absolute URL and duplicate ids stop
/// start-up naming the key (`apps[1].redirect_uris`). A secret may come from
/// `BROKER_APPS_<CLIENT_ID>_CLIENT_SECRET` (upper case, `.` and `-` as `_`).
enum AppsConfigParser {
    static let fields: Set<String> = ["client_id", "client_secret", "name", "redirect_uris", "post_logout_redirect_uris"]

    static func parse(_ value: Any?, environment: [String: String]) throws -> [AppClient] {
        guard let value, !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw ConfigError(key: "apps", problem: "must be a list of apps") }
        var seen = Set<String>()
        return try list.enumerated().map { index, item in
            let key = "apps[\(index)]"
            guard let map = item as? [String: Any] else { throw ConfigError(key: key, problem: "must be a mapping with client_id and redirect_uris") }
            if let unknown = map.keys.sorted().first(where: { !fields.contains($0) }) {
                throw ConfigError(key: "\(key).\(unknown)", problem: "unknown key")
            }
            let clientId = try string(map["client_id"], key: "\(key).client_id")
            guard clientId.range(of: "^[a-z0-9._-]{3,64}$", options: .regularExpression) != nil else {
                throw ConfigError(key: "\(key).client_id", problem: "must be 3-64 of a-z 0-9 . _ -")
            }
            guard seen.insert(clientId).inserted else { throw ConfigError(key: "\(key).client_id", problem: "'\(clientId)' is used by another app") }
            let variable = "BROKER_APPS_" + clientId.uppercased().replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_") + "_CLIENT_SECRET"
            let secret = try environment[variable] ?? map["client_secret"].map { try string($0, key: "\(key).client_secret") }
            let redirects = try uris(map["redirect_uris"], key: "\(key).redirect_uris")
            guard !redirects.isEmpty else { throw ConfigError(key: "\(key).redirect_uris", problem: "must list at least one URI") }
            let name = try map["name"].map { try string($0, key: "\(key).name") } ?? clientId
            return AppClient(
                clientId: clientId, secret: secret.flatMap { $0.isEmpty ? nil : Secret($0) }, name: name.isEmpty ? clientId : name,
                redirectURIs: redirects, postLogoutRedirectURIs: try uris(map["post_logout_redirect_uris"], key: "\(key).post_logout_redirect_uris")
            )
        }
    }

    static func string(_ value: Any?, key: String) throws -> String {
        guard let value, !(value is NSNull) else { throw ConfigError(key: key, problem: "is missing") }
        return try ConfigLoader.scalarString(value, key: key).trimmingWhitespace()
    }

    /// Absolute URIs without a fragment (RFC 6749 §3.1.2): http(s) with a host, or an app's own
    /// scheme (`com.example.app:/callback`).
    static func uris(_ value: Any?, key: String) throws -> [String] {
        guard let value, !(value is NSNull) else { return [] }
        let list: [Any] = (value as? [Any]) ?? [value]
        return try list.map { item in
            let raw = try string(item, key: key)
            guard let c = URLComponents(string: raw), let scheme = c.scheme?.lowercased(), c.fragment == nil, c.user == nil, c.password == nil else {
                throw ConfigError(key: key, problem: "'\(raw)' is not an absolute URI without a fragment")
            }
            if scheme == "http" || scheme == "https" {
                guard c.host?.isEmpty == false else { throw ConfigError(key: key, problem: "'\(raw)' has no host") }
            } else if !scheme.contains(".") {
                throw ConfigError(key: key, problem: "'\(raw)' must be http(s) or an app's reverse-domain scheme like com.example.app:/callback")
            }
            return raw
        }
    }
}
