import BrokerConfiguration
import BrokerCore
import Testing

/// `apps:` (the broker as an OpenID Connect provider) and `server.cookie_domain`.
@Suite("Config: apps")
struct AppsConfigTests {
    static let shop = """
        apps:
          - client_id: shop
            client_secret: from-the-file
            name: Shop
            redirect_uris: [https://shop.example.com/oidc/callback]
            post_logout_redirect_uris: [https://shop.example.com/]
          - client_id: mobile.app
            redirect_uris: [com.example.app:/callback]
        """

    @Test func appsAreRead() throws {
        let c = try ConfigLoader.parse(yaml: Self.shop)
        #expect(c.apps.map(\.clientId) == ["shop", "mobile.app"])
        #expect(c.apps[0].secret?.value == "from-the-file")
        #expect(c.apps[0].name == "Shop")
        #expect(c.apps[0].postLogoutRedirectURIs == ["https://shop.example.com/"])
        #expect(c.apps[1].isPublic)
        #expect(c.apps[1].name == "mobile.app", "the name defaults to the client id")
        #expect(try ConfigLoader.parse(yaml: "").apps.isEmpty)
    }

    @Test func aSecretMayComeFromTheEnvironment() throws {
        let c = try ConfigLoader.parse(yaml: Self.shop, environment: ["BROKER_APPS_MOBILE_APP_CLIENT_SECRET": "from-env", "BROKER_APPS_SHOP_CLIENT_SECRET": "env-wins"])
        #expect(c.apps[0].secret?.value == "env-wins")
        #expect(c.apps[1].secret?.value == "from-env")
        #expect(!c.apps[1].isPublic)
    }

    @Test(arguments: [
        ("apps:\n  - client_id: shop\n    redirect_uris: [https://a.example/cb]\n    colour: red\n", "apps[0].colour"),
        ("apps:\n  - client_id: Shop!\n    redirect_uris: [https://a.example/cb]\n", "apps[0].client_id"),
        ("apps:\n  - client_id: ab\n    redirect_uris: [https://a.example/cb]\n", "apps[0].client_id"),
        ("apps:\n  - redirect_uris: [https://a.example/cb]\n", "apps[0].client_id"),
        ("apps:\n  - client_id: shop\n", "apps[0].redirect_uris"),
        ("apps:\n  - client_id: shop\n    redirect_uris: [/relative]\n", "apps[0].redirect_uris"),
        ("apps:\n  - client_id: shop\n    redirect_uris: [\"https://a.example/cb#frag\"]\n", "apps[0].redirect_uris"),
        ("apps:\n  - client_id: shop\n    redirect_uris: [\"javascript:alert(1)\"]\n", "apps[0].redirect_uris"),
        ("apps:\n  - client_id: shop\n    redirect_uris: [https://a.example/cb]\n    post_logout_redirect_uris: [nope]\n", "apps[0].post_logout_redirect_uris"),
        ("apps:\n  - client_id: shop\n    redirect_uris: [https://a.example/cb]\n  - client_id: shop\n    redirect_uris: [https://b.example/cb]\n", "apps[1].client_id"),
        ("apps:\n  client_id: shop\n", "apps"),
        ("server:\n  cookie_domain: other.example\n  public_url: https://id.example.com\n", "server.cookie_domain"),
        ("server:\n  cookie_domain: \"not a domain\"\n", "server.cookie_domain"),
    ])
    func badAppsNameTheKey(yaml: String, key: String) {
        #expect {
            try ConfigLoader.parse(yaml: yaml)
        } throws: { error in
            (error as? ConfigError)?.key == key
        }
    }

    @Test func cookieDomainIsTheDomainOfThePublicURL() throws {
        let c = try ConfigLoader.parse(yaml: "server:\n  public_url: https://id.example.com\n  cookie_domain: .example.com\n")
        #expect(c.server.cookieDomain == "example.com")
        #expect(try ConfigLoader.parse(yaml: "").server.cookieDomain == "")
    }
}
