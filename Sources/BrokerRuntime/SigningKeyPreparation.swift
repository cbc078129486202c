import BrokerSigning
import Logging
import ServiceLifecycle

/// Makes the id_token signing key at the broker's first start (the contract's "signing keys are
/// created at first start"), beside the server rather than before it: making an RSA key takes
/// longer than the whole start-up may, and only the first start of a new database makes one.
/// Then it waits for the shutdown, since a service that ends would end the group.
struct SigningKeyPreparation: Service {
    let keyring: SigningKeyring
    let logger: Logger

    func run() async throws {
        do {
            try await keyring.prepare()
        } catch {
            // Another secret key than the one that sealed the current key, or the store away:
            // the apps' sign-ins will say so too, and `broker keys rotate` makes a new one.
            logger.warning("no usable signing key", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }
}
