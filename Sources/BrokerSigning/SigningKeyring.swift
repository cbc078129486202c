import BrokerCore
import Crypto
import CryptoExtras
import Foundation
import JWTKit
import Logging

/// The id_token signing keys: RSA 2048, created on first use, kept in the store with the
/// private key sealed (AES-GCM) under a key derived from the broker's secret key, so every
/// instance on one PostgreSQL signs with the same keys and a copy of the database alone signs
/// nothing. jwt-kit does the JOSE work: signing, reading a hint back, the JWKS.
public actor SigningKeyring: IDTokenSigner {
    /// How long a retired key stays in the JWKS: longer than any id_token lives (10 minutes),
    /// plus the time another instance may go on signing with it before it reloads.
    public static let retention: TimeInterval = 3600
    /// How often the keys are read again, so a `broker keys rotate` reaches running instances.
    static let reloadSeconds: TimeInterval = 30

    struct Loaded {
        var at: Date
        var currentKid: String
        var collection: JWTKeyCollection
        var listed: [(kid: String, key: JWTKit.Insecure.RSA.PrivateKey)]
    }

    let store: any AccountStore
    let sealing: SymmetricKey
    let clock: any WallClock
    let logger: Logger
    var loaded: Loaded?

    public init(store: any AccountStore, sealingKey: SymmetricKey, clock: any WallClock, logger: Logger) {
        self.store = store
        self.sealing = sealingKey
        self.clock = clock
        self.logger = logger
    }

    public func sign(_ claims: IDTokenClaims) async throws -> String {
        let keys = try await load()
        return try await keys.collection.sign(Payload(claims: claims), kid: JWKIdentifier(string: keys.currentKid))
    }

    public func claims(ofOwnToken token: String) async -> IDTokenClaims? {
        guard let keys = try? await load() else { return nil }
        // Payload.verify checks nothing: a hint may have expired, only its signature matters here.
        return try? await keys.collection.verify(token, as: Payload.self).claims
    }

    public func jwks() async throws -> Data {
        let keys = try await load()
        let jwks = try JWKS(keys: keys.listed.map { kid, key in
            let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
            return JWK.rsa(.rs256, identifier: JWKIdentifier(string: kid), modulus: modulus.base64URLEncoded(), exponent: exponent.base64URLEncoded())
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(jwks)
    }

    /// A new current key; the others retire and stay listed for `retention`.
    @discardableResult
    public func rotate() async throws -> SigningKeyRecord {
        let now = clock.now()
        let record = try newKey(now: now)
        // Retire first: there is only ever one current key (the store refuses a second).
        try await store.commit([
            .retireSigningKeys(exceptKid: record.kid, at: now, listedUntil: now.addingTimeInterval(Self.retention)),
            .insertSigningKey(record),
        ])
        loaded = nil
        return record
    }

    /// Makes the first key if there is none yet (each start, `SigningKeyPreparation`), so that
    /// the JWKS is there before an app first asks and the first sign-in into an app does not
    /// wait for an RSA key to be made.
    public func prepare() async throws { _ = try await load() }

    /// The keys kept, oldest first (`broker keys list`).
    public func records() async throws -> [SigningKeyRecord] { try await store.signingKeys() }

    func load() async throws -> Loaded {
        let now = clock.now()
        if let loaded, now.timeIntervalSince(loaded.at) < Self.reloadSeconds { return loaded }
        var records = try await store.signingKeys()
        if !records.contains(where: { $0.retiredAt == nil }) {
            // First use: make the key. The store keeps one current key only, so when another instance
            // made one at the same moment, this insert is refused and that key is the one every
            // instance uses.
            do {
                try await store.commit([.insertSigningKey(try newKey(now: now))])
            } catch StoreError.conflict {}
            records = try await store.signingKeys()
        }
        let collection = JWTKeyCollection()
        var listed: [(kid: String, key: JWTKit.Insecure.RSA.PrivateKey)] = []
        var current: String?
        for record in records where record.listedUntil.map({ $0 > now }) ?? true {
            guard let key = open(record) else { continue }
            await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: record.kid))
            listed.append((record.kid, key))
            if record.retiredAt == nil { current = record.kid }  // oldest first: the newest current one wins
        }
        // A current key this secret key cannot open is a configuration mistake (another
        // security.secret_key than the instance that made it): it is not replaced here, which would
        // take the key from under every correctly configured instance. `broker keys rotate` replaces it.
        guard let current else { throw SigningKeyError.noUsableKey }
        let fresh = Loaded(at: now, currentKid: current, collection: collection, listed: listed)
        loaded = fresh
        return fresh
    }

    func newKey(now: Date) throws -> SigningKeyRecord {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let kid = SecureTokenGenerator().token(bytes: 12)
        let sealed = try AES.GCM.seal(Data(key.pemRepresentation.utf8), using: sealing, authenticating: Data(kid.utf8))
        guard let combined = sealed.combined else { throw SigningKeyError.sealingFailed }
        return SigningKeyRecord(kid: kid, sealedPrivateKey: combined.base64EncodedString(), createdAt: now)
    }

    func open(_ record: SigningKeyRecord) -> JWTKit.Insecure.RSA.PrivateKey? {
        guard let data = Data(base64Encoded: record.sealedPrivateKey),
              let box = try? AES.GCM.SealedBox(combined: data),
              let pem = try? AES.GCM.open(box, using: sealing, authenticating: Data(record.kid.utf8)),
              let key = try? JWTKit.Insecure.RSA.PrivateKey(pem: String(decoding: pem, as: UTF8.self))
        else {
            logger.warning("signing key \(record.kid) cannot be opened with this secret key (was security.secret_key changed?)")
            return nil
        }
        return key
    }

    /// jwt-kit's envelope for the broker's claims. It checks nothing itself: the flows decide.
    struct Payload: JWTPayload {
        var claims: IDTokenClaims
        init(claims: IDTokenClaims) { self.claims = claims }
        init(from decoder: any Decoder) throws { claims = try IDTokenClaims(from: decoder) }
        func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
        func verify(using _: some JWTAlgorithm) async throws {}
    }
}

public enum SigningKeyError: Error, CustomStringConvertible {
    case noUsableKey
    case sealingFailed

    public var description: String {
        switch self {
        case .noUsableKey:
            "the current id_token signing key cannot be opened with this secret key: use the security.secret_key it was made with, or run `broker keys rotate`"
        case .sealingFailed:
            "a new signing key could not be sealed"
        }
    }
}
