import BrokerConfiguration
import BrokerCore
import Crypto
import Foundation

/// The key check-word secrets are derived from: `security.secret_key` when set,
/// else 32 random bytes kept in `broker.key` beside the SQLite database (mode 0600),
/// created on first start so links survive restarts.
enum SecretKeyFile {
    static func key(config: BrokerConfig, databasePath: String?) throws -> Data {
        if !config.security.secretKey.value.isEmpty {
            return Data(SHA256.hash(data: Data(config.security.secretKey.value.utf8)))
        }
        guard let databasePath else {
            throw ConfigError(key: "security.secret_key", problem: "must be set when several instances share a database")
        }
        let path = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("broker.key").path
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 {
            return data
        }
        var rng = SystemRandomNumberGenerator()
        let data = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((data.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600]
        )
        guard created else { throw ConfigError(key: "security.secret_key", problem: "cannot write the key file \(path)") }
        return data
    }
}
