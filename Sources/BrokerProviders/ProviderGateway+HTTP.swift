import AsyncHTTPClient
import BrokerCore
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1

extension ProviderGateway {
    /// The provider's endpoints: from its file for OAuth 2.0, from discovery (cached) for OpenID Connect.
    func endpoints(_ d: ProviderDefinition) async throws -> Discovery {
        if d.kind == .oauth2 {
            guard let a = d.authorizationEndpoint, let t = d.tokenEndpoint else { throw BrokerError.providerError("endpoints missing") }
            return Discovery(issuer: "", authorizationEndpoint: a, tokenEndpoint: t, userinfoEndpoint: d.userinfoEndpoint, jwksURI: "")
        }
        let now = clock.now()
        if let (cached, at) = discoveries.withLock({ $0[d.id] }), now.timeIntervalSince(at) < cacheSeconds { return cached }
        guard let issuer = d.issuer else { throw BrokerError.providerError("no issuer") }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let doc = try await json(base + "/.well-known/openid-configuration", method: .GET, headers: [:], body: nil, what: "discovery")
        guard let docIssuer = doc["issuer"] as? String, let jwks = doc["jwks_uri"] as? String,
              let authorization = d.authorizationEndpoint ?? doc["authorization_endpoint"] as? String,
              let token = d.tokenEndpoint ?? doc["token_endpoint"] as? String
        else { throw BrokerError.providerError("incomplete discovery document") }
        let discovery = Discovery(
            issuer: docIssuer, authorizationEndpoint: authorization, tokenEndpoint: token,
            userinfoEndpoint: d.userinfoEndpoint ?? doc["userinfo_endpoint"] as? String, jwksURI: jwks
        )
        discoveries.withLock { $0[d.id] = (discovery, now) }
        return discovery
    }

    func keySet(_ id: String, uri: String, refresh: Bool) async throws -> JWTKeyCollection {
        let now = clock.now()
        if !refresh, let (cached, at) = keySets.withLock({ $0[id] }), now.timeIntervalSince(at) < cacheSeconds { return cached }
        let text = try await fetch(uri, method: .GET, headers: [:], body: nil, what: "jwks")
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwksJSON: text)
        } catch {
            throw BrokerError.providerError("unreadable JWKS")
        }
        keySets.withLock { $0[id] = (keys, now) }
        return keys
    }

    func json(_ url: String, method: HTTPMethod, headers: HTTPHeaders, body: String?, what: String) async throws -> [String: Any] {
        let text = try await fetch(url, method: method, headers: headers, body: body, what: what)
        if let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] { return object }
        // Some token endpoints (GitHub without Accept) answer form-encoded.
        if what == "token", let items = URLComponents(string: "?" + text)?.queryItems {
            return Dictionary(items.compactMap { i in i.value.map { (i.name, $0 as Any) } }, uniquingKeysWith: { a, _ in a })
        }
        throw BrokerError.providerError("\(what): not JSON")
    }

    func jsonArray(_ url: String, headers: HTTPHeaders) async throws -> [[String: Any]] {
        let text = try await fetch(url, method: .GET, headers: headers, body: nil, what: "emails")
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }

    func fetch(_ url: String, method: HTTPMethod, headers: HTTPHeaders, body: String?, what: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(10))
        } catch {
            throw BrokerError.providerError("\(what): \(error)")
        }
        let buffer = try await response.body.collect(upTo: 1 << 20)
        let text = String(buffer: buffer)
        guard (200..<300).contains(Int(response.status.code)) else {
            let detail = ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["error"] as? String
            throw BrokerError.providerError("\(what): HTTP \(response.status.code)" + (detail.map { " " + $0 } ?? ""))
        }
        return text
    }
}

extension ProviderGateway {
    /// What is wrong with a provider's setup, checked against the network:
    /// for OpenID Connect, the discovery document and the JWKS; for OAuth 2.0, the file's endpoints.
    public func check(_ id: String) async -> [String] {
        guard let definition = catalog.definition(id: id) else { return ["no provider file"] }
        var problems: [String] = []
        if catalog.credentials[id]?.clientId.isEmpty != false { problems.append("no client_id/client_secret: sign-in is off") }
        do {
            let endpoints = try await endpoints(definition)
            if definition.kind == .oidc {
                if endpoints.issuer != definition.issuer && endpoints.issuer + "/" != definition.issuer {
                    problems.append("discovery issuer '\(endpoints.issuer)' differs from the file's '\(definition.issuer ?? "")'")
                }
                _ = try await keySet(id, uri: endpoints.jwksURI, refresh: true)
            }
        } catch let error as BrokerError {
            problems.append(error.message)
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}
