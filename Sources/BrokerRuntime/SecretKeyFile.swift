import BrokerConfiguration
import BrokerCore
import BrokerStore
import Crypto
import Foundation
import Logging

/// The key check-word secrets are derived from:
/// - `security.secret_key` when set (recommended with PostgreSQL: the key then stays out
///   of the database, so a dump of it cannot mint live links);
/// - with SQLite, 32 random bytes kept in `broker.key` beside the database file (mode 0600),
///   created on first start so links survive restarts;
/// - with PostgreSQL, 32 random bytes that the first instance to start stores in the
///   database (`broker_secrets`), so every instance derives the same links.
enum SecretKeyFile {
    static func key(config: BrokerConfig, store: any BrokerDatabase, logger: Logger) async throws -> Data {
        if !config.security.secretKey.value.isEmpty {
            return Data(SHA256.hash(data: Data(config.security.secretKey.value.utf8)))
        }
        guard let databasePath = store.localPath else {
            if !config.server.devMode {
                logger.warning("""
                    the check-word key is kept in the database because security.secret_key is not set: \
                    anyone who can read the database can then make working recovery links; set security.secret_key \
                    (the same on every instance) to keep it out
                    """)
            }
            let stored = try await store.sharedSecret(name: "check_word_key", candidate: randomKey().base64EncodedString())
            guard let data = Data(base64Encoded: stored), data.count == 32 else {
                throw ConfigError(key: "security.secret_key", problem: "the key stored in the database is damaged; set security.secret_key")
            }
            return data
        }
        let path = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("broker.key").path
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 {
            return data
        }
        let data = randomKey()
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((data.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600]
        )
        guard created else { throw ConfigError(key: "security.secret_key", problem: "cannot write the key file \(path)") }
        return data
    }

    static func randomKey() -> Data {
        var rng = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }
}
