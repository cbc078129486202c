import BrokerCore
import Testing

@Suite("return_to")
struct ReturnToPolicyTests {
    let policy = ReturnToPolicy(allowedOrigins: ["https://app.example.com", "http://127.0.0.1:8080"])

    @Test(arguments: [
        "https://app.example.com", "https://app.example.com/", "https://app.example.com/login?next=%2Fhome#top",
        "https://APP.example.com/x", "https://app.example.com:443/x", "http://127.0.0.1:8080/account",
    ])
    func allowed(url: String) {
        #expect(policy.check(url) == url)
    }

    @Test(arguments: [
        "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
        "https://evil.example", "https://app.example.com.evil.example/", "https://app.example.com@evil.example/",
        "https://user:pass@app.example.com/", "https://evil.example\\@app.example.com/", "https://app.example.com\\.evil.example",
        "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://app.example.com/",
        "http://app.example.com/", "https://app.example.com:8443/", "https://app.example.com%2eevil.example/",
        "https:///evil.example", "https://\tapp.example.com/", "https://app.example.com\n.evil.example", " https://app.example.com/",
        "https://evil.example#https://app.example.com", "/relative/path", "", "http://127.0.0.1:8081/", "http://localhost:8080/",
        "https://app.example.com%00.evil.example/", "https://xn--pp-example-7za.com/",
    ])
    func refused(url: String) {
        #expect(policy.check(url) == nil)
    }

    /// The contract's own default is `/account`: a path is a page of the broker, on `public_url`.
    @Test func pathsResolveAgainstThePublicURL() {
        let withBase = ReturnToPolicy(allowedOrigins: ["https://app.example.com"], base: "https://accounts.example.com")
        #expect(withBase.check("/account") == "https://accounts.example.com/account")
        #expect(withBase.check("/account?tab=security#top") == "https://accounts.example.com/account?tab=security#top")
        for hostile in ["//evil.example", "///evil.example", "/\\evil.example", "/\tevil", "/ x", "//evil.example/account"] {
            #expect(withBase.check(hostile) == nil, "\(hostile)")
        }
        #expect(withBase.check("https://app.example.com/x") == "https://app.example.com/x")
        #expect(policy.check("/account") == nil, "no base: paths are refused")
        // The next step of a page flow checks the resolved URL again: the broker's own origin passes.
        #expect(withBase.check("https://accounts.example.com/account") == "https://accounts.example.com/account")
        #expect(withBase.check("https://accounts.example.com.evil.example/") == nil)
    }
}
