import Crypto
import Foundation

/// HMAC-SHA256 (RFC 2104) under one fixed key, with the key's two padded blocks hashed once.
///
/// `HMAC<SHA256>(key:)` pads and hashes the key again on every call: in a profile of the
/// recovery load, that set-up was a third of the time spent deriving check-word secrets,
/// which the delivery worker does for every link and code it sends. Here each MAC starts
/// from copies of the two hash states the key left, and is byte for byte the same MAC
/// (the tests compare it with swift-crypto's `HMAC` for keys and messages of every size).
struct KeyedHMAC: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    init(key: SymmetricKey) {
        let blockSize = 64
        var block = key.withUnsafeBytes { Array($0) }
        if block.count > blockSize { block = Array(SHA256.hash(data: block)) }
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// The MAC of `message`'s bytes.
    func mac(_ message: some Sequence<UInt8>) -> [UInt8] {
        var inner = self.inner
        inner.update(data: Array(message))
        var outer = self.outer
        outer.update(data: Array(inner.finalize()))
        return Array(outer.finalize())
    }

    /// The MAC of `label` + `text`'s UTF-8, the shape every derived secret has.
    func mac(_ label: String, _ text: String) -> [UInt8] {
        var bytes = Array(label.utf8)
        bytes.append(contentsOf: text.utf8)
        return mac(bytes)
    }
}
