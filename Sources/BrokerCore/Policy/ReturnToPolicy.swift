import Foundation

/// Where the broker may send a browser back to: an absolute http(s) URL whose
/// origin is exactly one of `server.allowed_return_to`. Everything that browsers
/// parse differently from servers (backslashes, scheme-relative `//host`,
/// userinfo, control characters, odd schemes) is refused outright. A path
/// (`/account`) is a page of the broker itself: it resolves against `public_url`.
public struct ReturnToPolicy: Sendable {
    /// Lower-cased `scheme://host[:port]` origins.
    public let allowedOrigins: Set<String>
    /// `server.public_url`, which a path is resolved against; without it paths are refused.
    public let base: String?

    /// `base`'s own origin is allowed too: a path resolves to it, and the resolved URL is
    /// checked again on the next step of a page flow.
    public init(allowedOrigins: [String], base: String? = nil) {
        var origins = Set(allowedOrigins.map { $0.lowercased() })
        if let base, let origin = Self.origin(of: base) { origins.insert(origin) }
        self.allowedOrigins = origins
        self.base = base
    }

    /// `scheme://host[:port]` of an absolute http(s) URL, the default port left out.
    public static func origin(of url: String) -> String? {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host?.lowercased(), !host.isEmpty else { return nil }
        let port = c.port.map { $0 == (scheme == "https" ? 443 : 80) ? "" : ":\($0)" } ?? ""
        return scheme + "://" + host + port
    }

    /// The URL if it may be followed, else nil.
    public func check(_ raw: String) -> String? {
        guard !raw.isEmpty, raw.utf8.count <= 2048,
              raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" })
        else { return nil }
        if raw.hasPrefix("/") {
            // One slash and a path: never `//host`, which browsers read as another site.
            guard let base, !raw.hasPrefix("//"), URLComponents(string: raw)?.host == nil else { return nil }
            return base + raw
        }
        guard let components = URLComponents(string: raw),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              raw.lowercased().hasPrefix(scheme + "://"),
              components.user == nil, components.password == nil,
              let host = components.host?.lowercased(), !host.isEmpty,
              !raw.dropFirst(scheme.count + 3).hasPrefix("/")
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""
        let origin = scheme + "://" + host + port
        let explicitOrigin = components.port.map { scheme + "://" + host + ":\($0)" }
        guard allowedOrigins.contains(origin) || explicitOrigin.map(allowedOrigins.contains) == true else { return nil }
        return raw
    }
}
