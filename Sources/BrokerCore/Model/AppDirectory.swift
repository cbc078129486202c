import Foundation

/// The configured apps, by client id.
public struct AppDirectory: Sendable {
    let byId: [String: AppClient]

    public init(_ apps: [AppClient]) {
        byId = Dictionary(apps.map { ($0.clientId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var all: [AppClient] { byId.values.sorted { $0.clientId < $1.clientId } }
    public var isEmpty: Bool { byId.isEmpty }

    public func client(id: String) -> AppClient? { byId[id] }

    /// The app whose authorization request `url` is (a `return_to` that is the broker's own
    /// `/oauth2/authorize`): the pages name it ("Sign in to Shop").
    public func client(authorizing url: String?, issuer: String) -> AppClient? {
        guard let url, url.hasPrefix(issuer + AppAuthorizationRequest.path + "?"),
              let id = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "client_id" })?.value
        else { return nil }
        return byId[id]
    }
}
