/// Bounds how long an operation may take: past `seconds` it is cancelled and `timeout` is
/// thrown instead. Used where a dependency can stop answering (a database that went away):
/// a caller gets a clear 503 in bounded time, and nothing half-done is left running.
public enum Deadline {
    public static func run<T: Sendable>(
        seconds: Double, timeout: StoreError, _ operation: @Sendable @escaping () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw timeout
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw timeout }
            return first
        }
    }
}
