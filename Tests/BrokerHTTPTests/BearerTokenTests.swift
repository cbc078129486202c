@testable import BrokerHTTP
import Testing

/// `Authorization: Bearer` as the session endpoints read it.
@Suite("Bearer token")
struct BearerTokenTests {
    @Test func theSchemeInAnyCaseThenASpaceThenTheToken() {
        #expect(SessionCookies.bearerToken(header: "Bearer abc.DEF-_9") == "abc.DEF-_9")
        #expect(SessionCookies.bearerToken(header: "bearer abc") == "abc")
        #expect(SessionCookies.bearerToken(header: "BEARER abc") == "abc")
        #expect(SessionCookies.bearerToken(header: "bEaReR abc") == "abc")
        #expect(SessionCookies.bearerToken(header: "Bearer   abc  ") == "abc", "whitespace around the token is dropped")
    }

    @Test func anythingElseIsNoToken() {
        for header in ["", "Bearer", "Bearer ", "Bearer    ", "Bearer\tabc", "Bearerabc", "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
                       "Bear abc", "Bearers abc", " Bearer abc", "Béarer abc", "B€arer abc", "Bearer\u{0} abc"] {
            #expect(SessionCookies.bearerToken(header: header) == nil, "\(header.debugDescription)")
        }
    }
}
