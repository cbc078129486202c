import BrokerCore
import Foundation

/// Reads the claims a provider file names out of an id_token or userinfo JSON
/// object; dotted paths reach into nested objects (`data.id`, `user.email`).
enum ClaimMapper {
    static func value(_ json: [String: Any], path: String) -> Any? {
        // A claim named by a URL (`https://slack.com/team_id`) is one key, dots and all.
        if let exact = json[path] { return exact is NSNull ? nil : exact }
        var current: Any? = json
        for key in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(key)]
        }
        if current is NSNull { return nil }
        return current
    }

    static func string(_ json: [String: Any], path: String) -> String? {
        switch value(json, path: path) {
        case let s as String: return s.isEmpty ? nil : s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    /// `true`, `"true"` (Apple), `1` (Zoom) are verified; anything else is not.
    static func bool(_ json: [String: Any], path: String) -> Bool {
        switch value(json, path: path) {
        case let b as Bool: return b
        case let s as String: return s.lowercased() == "true"
        case let n as NSNumber: return n.intValue == 1
        default: return false
        }
    }

    static func claims(provider: String, mapping: ClaimMapping, json: [String: Any]) throws -> ProviderClaims {
        guard var subject = string(json, path: mapping.subject) else {
            throw BrokerError.providerError("the answer has no '\(mapping.subject)'")
        }
        if let scope = mapping.subjectScope {
            // Unique only within a workspace: without the workspace the subject names no one.
            guard let workspace = string(json, path: scope) else { throw BrokerError.providerError("the answer has no '\(scope)'") }
            subject = workspace + ":" + subject
        }
        let email = string(json, path: mapping.email)
        return ProviderClaims(
            provider: provider, subject: subject, email: email,
            emailVerified: email != nil && bool(json, path: mapping.emailVerified), name: string(json, path: mapping.name)
        )
    }
}
