import BrokerCore
import Testing

@Suite("client address behind proxies")
struct ClientAddressPolicyTests {
    @Test func rangesMatchTheirAddressesOnly() throws {
        let v4 = try #require(AddressRange("10.1.0.0/16"))
        #expect(v4.contains("10.1.255.7"))
        #expect(!v4.contains("10.2.0.1"))
        #expect(v4.contains("::ffff:10.1.2.3"), "IPv4-mapped IPv6 is the IPv4 address")
        #expect(!v4.contains("fd00::1"))
        let v6 = try #require(AddressRange("fd00::/8"))
        #expect(v6.contains("fd12:3456::1"))
        #expect(!v6.contains("fe80::1"))
        let one = try #require(AddressRange("192.0.2.10"))
        #expect(one.contains("192.0.2.10") && !one.contains("192.0.2.11"))
        #expect(try #require(AddressRange("0.0.0.0/0")).contains("203.0.113.9"))
        #expect(try #require(AddressRange("10.0.0.0/12")).contains("10.15.0.1"))
        #expect(!(try #require(AddressRange("10.0.0.0/12")).contains("10.16.0.1")))
    }

    @Test(arguments: ["", "10.0.0.0/33", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/", "proxy.internal", "10.0.0", "1.2.3.4/8/8", "::1/x"])
    func refusesWhatIsNoRange(text: String) {
        #expect(AddressRange(text) == nil)
    }

    let policy = ClientAddressPolicy(trustedProxies: [AddressRange("127.0.0.1")!, AddressRange("10.0.0.0/8")!])

    @Test func untrustedPeerIsTheClientWhateverItClaims() {
        #expect(policy.clientAddress(peer: "198.51.100.4", forwardedFor: ["203.0.113.9"]) == "198.51.100.4")
        #expect(ClientAddressPolicy(trustedProxies: []).clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.9"]) == "127.0.0.1")
    }

    @Test func trustedPeerNamesTheRightMostUntrustedHop() {
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        // A client that forges the header only adds entries on the left.
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: ["1.1.1.1, 203.0.113.9, 10.0.0.5"]) == "203.0.113.9")
        #expect(policy.clientAddress(peer: "10.2.3.4", forwardedFor: ["1.1.1.1", "203.0.113.9"]) == "203.0.113.9")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: [" 2001:db8::7 "]) == "2001:db8::7")
        // With the client's port, as some proxies write it.
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.9:51234"]) == "203.0.113.9")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: ["[2001:db8::7]:443"]) == "2001:db8::7")
    }

    @Test func missingOrGarbledHeaderFallsBackToThePeer() {
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: []) == "127.0.0.1")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: ["unknown"]) == "127.0.0.1")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.9, <script>"]) == "127.0.0.1")
        #expect(policy.clientAddress(peer: nil, forwardedFor: ["203.0.113.9"]) == nil)
    }

    /// One host usually holds a whole IPv6 /64: it counts as one client in the per-address throttles.
    @Test func ipv6ClientsCountByTheirSlash64() {
        let a = ClientAddressPolicy.throttleKey("2001:db8:1:2:aaaa::1")
        #expect(a == "2001:db8:1:2::/64")
        #expect(ClientAddressPolicy.throttleKey("2001:db8:1:2:ffff:ffff:ffff:fffe") == a)
        #expect(ClientAddressPolicy.throttleKey("2001:db8:1:3::1") != a)
        #expect(ClientAddressPolicy.throttleKey("203.0.113.9") == "203.0.113.9")
        #expect(ClientAddressPolicy.throttleKey("::ffff:203.0.113.9") == "203.0.113.9", "IPv4-mapped counts as the IPv4 address")
    }
}
