import BrokerCore
@testable import BrokerProviders
import Foundation
import Testing

@Suite("Provider files")
struct ProviderFileTests {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("providers").path
    }

    @Test func bundledProvidersAllLoad() throws {
        let ids = try ProviderFileLoader.load(directory: Self.directory).map(\.id)
        let required = ["google", "apple", "microsoft", "facebook", "github", "gitlab", "x", "linkedin", "yandex", "vk",
                        "mailru", "discord", "slack", "amazon", "zoom", "telegram", "bitrix24"]
        #expect(Set(required).isSubset(of: Set(ids)))
    }

    @Test func everyProviderHasAnHTTPSRecoveryPage() throws {
        for p in try ProviderFileLoader.load(directory: Self.directory) {
            #expect(p.recoveryURL.hasPrefix("https://"), "\(p.id)")
        }
    }

    @Test func defaultsFillScopesAndClaims() throws {
        let p = try ProviderFileLoader.parse("name: Test\nprotocol: oidc\nissuer: https://id.example\nrecovery_url: https://id.example/r\n",
                                            defaultId: "test", file: "test.yaml")
        #expect(p.id == "test")
        #expect(p.scopes == ["openid", "email", "profile"])
        #expect(p.claims == ClaimMapping())
    }

    @Test(arguments: [
        ("protocol: oidc\nissuer: https://a.example\nrecovery_url: https://a.example\n", "missing required key 'name'"),
        ("name: A\nprotocol: saml\nrecovery_url: https://a.example\n", "'protocol' must be oidc or oauth2"),
        ("name: A\nprotocol: oidc\nrecovery_url: https://a.example\n", "missing required key 'issuer'"),
        ("name: A\nprotocol: oauth2\nrecovery_url: https://a.example\n", "missing required key 'authorization_endpoint'"),
        ("name: A\nprotocol: oidc\nissuer: https://a.example\n", "missing required key 'recovery_url'"),
        ("name: A\nprotocol: oidc\nissuer: https://a.example\nrecovery_url: https://a.example\ncolour: red\n", "unknown key 'colour'"),
        ("name: A\nprotocol: oidc\nissuer: ftp://a.example\nrecovery_url: https://a.example\n", "'issuer' must be an http(s) URL"),
    ])
    func brokenFilesAreRefused(yaml: String, problem: String) {
        #expect(throws: ProviderFileError(file: "a.yaml", problem: problem)) {
            try ProviderFileLoader.parse(yaml, defaultId: "a", file: "a.yaml")
        }
    }

    @Test func signInNeedsBothCredentials() throws {
        let defs = try ProviderFileLoader.load(directory: Self.directory)
        let catalog = ProviderCatalog(definitions: defs, credentials: [
            "google": ProviderCredentials(clientId: "id", clientSecret: Secret("secret")),
            "github": ProviderCredentials(clientId: "id", clientSecret: Secret("")),
        ])
        #expect(catalog.provider(id: "google")?.signIn == true)
        #expect(catalog.provider(id: "github")?.signIn == false)
        #expect(catalog.provider(id: "apple")?.signIn == false)
    }

    /// A Slack user id is unique only within its workspace: the identity is keyed by both.
    @Test func slackSubjectsAreScopedByWorkspace() throws {
        let slack = try #require(try ProviderFileLoader.load(directory: Self.directory).first { $0.id == "slack" })
        #expect(slack.claims.subjectScope == "https://slack.com/team_id")
        let json: [String: Any] = ["sub": "U123", "https://slack.com/team_id": "T9", "email": "m@example.com", "email_verified": true]
        let claims = try ClaimMapper.claims(provider: "slack", mapping: slack.claims, json: json)
        #expect(claims.subject == "T9:U123")
        var other = json
        other["https://slack.com/team_id"] = "T10"
        #expect(try ClaimMapper.claims(provider: "slack", mapping: slack.claims, json: other).subject != claims.subject,
                "the same user id in another workspace is another identity")
        var missing = json
        missing.removeValue(forKey: "https://slack.com/team_id")
        #expect(throws: BrokerError.self) { try ClaimMapper.claims(provider: "slack", mapping: slack.claims, json: missing) }
    }
}
