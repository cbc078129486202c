import CGlibc
import ServiceLifecycle

/// Hands the heap's free pages back to the system every few seconds.
///
/// glibc keeps what a burst of requests freed: after the 256-connection recovery load, the
/// broker's heap held ~17 MB of free memory (mostly the async frames of the requests that
/// were in flight) that it never returned on its own, and a sign-in burst after it stacked
/// the Argon2 memory on top. `malloc_trim(0)` walks every arena's free chunks and returns
/// their whole pages; under load it lets go of what the load no longer holds, and a page
/// used again is faulted back in. Allocators with decay (jemalloc, tcmalloc) do the same
/// by themselves.
public struct MemoryTrimmer: Service {
    public var interval: Duration

    public init(interval: Duration = .seconds(2)) { self.interval = interval }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                Self.trim()
            }
        }
    }

    /// Returns the heap's free pages to the system.
    public static func trim() { _ = broker_trim_memory() }
}
