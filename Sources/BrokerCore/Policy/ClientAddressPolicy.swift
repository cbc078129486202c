import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, or a range of them in CIDR notation (`10.0.0.0/8`, `fd00::/8`).
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// nil unless `text` is an address or `address/prefix` with a prefix that fits the family.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefix = p
        }
        network = Self.masked(bytes, prefix)
        prefixLength = prefix
        description = text
    }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return contains(bytes: bytes)
    }

    func contains(bytes: [UInt8]) -> Bool {
        bytes.count == network.count && Self.masked(bytes, prefixLength) == network
    }

    /// The 4 or 16 bytes of an address in its textual form; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) reads as IPv4.
    static func bytes(of text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = max(0, min(8, prefix - index * 8))
            return keep == 8 ? byte : byte & ~(UInt8(0xFF) >> keep)
        }
    }
}

/// Which address a request comes from, for the per-address throttles.
///
/// Behind a reverse proxy every request arrives from the proxy, so all clients would
/// share one throttle. When the peer is one of `server.trusted_proxies`, the client is
/// the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries
/// further left are whatever the client chose to send, and are never believed).
/// With no trusted proxies, or from any other peer, the header is ignored.
public struct ClientAddressPolicy: Sendable {
    public let trustedProxies: [AddressRange]

    public init(trustedProxies: [AddressRange]) { self.trustedProxies = trustedProxies }

    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { Self.withoutPort($0.trimmingCharacters(in: .whitespaces)) }
        for hop in hops.reversed() {
            guard AddressRange.bytes(of: hop) != nil else { return peer }  // garbage: fall back to what we know
            if !isTrusted(hop) { return hop }
        }
        return hops.first ?? peer
    }

    /// Some proxies write the client's port too: `203.0.113.9:51234`, `[2001:db8::7]:443`.
    static func withoutPort(_ hop: String) -> String {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") { return String(hop[hop.index(after: hop.startIndex)..<close]) }
        let colons = hop.filter { $0 == ":" }.count
        if colons == 1, let colon = hop.firstIndex(of: ":") { return String(hop[..<colon]) }
        return hop
    }

    /// The key a client address counts under in the per-address throttles. An IPv6 client
    /// counts by its /64: one host usually holds a whole /64 and could otherwise take a fresh
    /// address for every attempt. IPv4 (and IPv4-mapped IPv6) counts by the address itself.
    public static func throttleKey(_ address: String) -> String {
        guard let bytes = AddressRange.bytes(of: address) else { return String(address.prefix(64)) }
        guard bytes.count == 16 else { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    func isTrusted(_ address: String) -> Bool {
        guard let bytes = AddressRange.bytes(of: address) else { return false }
        return trustedProxies.contains { $0.contains(bytes: bytes) }
    }
}
