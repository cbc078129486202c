import BrokerCore
import Foundation

/// Which store a `database.url` names.
public enum StoreLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    /// `sqlite://var/broker.sqlite` (relative to the working directory), `sqlite:///abs/path`, or `postgres://...`.
    public init(url: String) throws {
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw StoreError.unavailable("database.url: sqlite:// needs a file path") }
            self = .sqlite(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else {
            throw StoreError.unavailable("database.url must start with sqlite:// or postgres://")
        }
    }
}
