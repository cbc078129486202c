import BrokerCore
import CArgon2
import NIOPosix

/// The broker's own password hashes: Argon2id PHC strings made by the system libargon2.
/// Hashing is memory-hard by design, so it runs on NIO's blocking thread pool,
/// never on an event loop or the cooperative pool.
public struct Argon2PasswordHasher: PasswordHasher {
    public let parameters: Argon2Parameters
    let threadPool: NIOThreadPool

    public init(parameters: Argon2Parameters = Argon2Parameters(), threadPool: NIOThreadPool = .singleton) {
        self.parameters = parameters
        self.threadPool = threadPool
        _ = Self.mapLargeBlocks
    }

    /// Once per process: Argon2's memory is mapped and returned after each hash (see the C shim).
    static let mapLargeBlocks: Void = broker_map_large_blocks()

    public func hash(_ password: Secret) async throws -> String {
        let parameters = self.parameters
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: .min ... .max, using: &rng) }
        let saltBytes = salt
        return try await threadPool.runIfActive {
            try Self.encode(password.value, salt: saltBytes, parameters: parameters)
        }
    }

    public func verify(_ password: Secret, against hash: String) async throws -> PasswordCheck {
        let type: Argon2_type
        if hash.hasPrefix("$argon2id$") {
            type = Argon2_id
        } else if hash.hasPrefix("$argon2i$") {
            type = Argon2_i
        } else {
            return .mismatch
        }
        let parameters = self.parameters
        return try await threadPool.runIfActive {
            let result = hash.withCString { encoded in
                Array(password.value.utf8).withUnsafeBufferPointer { pwd in
                    argon2_verify(encoded, pwd.baseAddress, pwd.count, type)
                }
            }
            guard result == ARGON2_OK.rawValue else { return .mismatch }
            let stale = type != Argon2_id || Argon2Parameters(phc: hash) != parameters
            return .match(needsRehash: stale)
        }
    }

    static func encode(_ password: String, salt: [UInt8], parameters: Argon2Parameters) throws -> String {
        let hashLength = 32
        let length = argon2_encodedlen(
            UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
            UInt32(salt.count), UInt32(hashLength), Argon2_id
        )
        var encoded = [CChar](repeating: 0, count: length)
        let result = Array(password.utf8).withUnsafeBufferPointer { pwd in
            argon2id_hash_encoded(
                UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
                pwd.baseAddress, pwd.count, salt, salt.count, hashLength, &encoded, length
            )
        }
        guard result == ARGON2_OK.rawValue else {
            throw Argon2Error(code: result, message: String(cString: argon2_error_message(result)))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// libargon2 refused to hash (bad parameters or out of memory).
public struct Argon2Error: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var description: String { "argon2 error \(code): \(message)" }
}
