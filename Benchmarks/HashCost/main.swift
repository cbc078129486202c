import BrokerCore
import BrokerCrypto
import Foundation
import NIOCore

// Times Argon2id with the default (OWASP) parameters: the floor under every password
// sign-in. Prints the median of one hash alone, then the ceiling of the machine: every
// core hashing at once (the broker's own thread pool), in hashes per second. The last
// line is machine-readable for scripts/bench.sh.
let hasher = Argon2PasswordHasher()
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 20
let password = Secret("benchmark-password")
let hash = try await hasher.hash(password)
var samples: [Double] = []
for _ in 0..<rounds {
    let start = DispatchTime.now().uptimeNanoseconds
    _ = try await hasher.verify(password, against: hash)
    samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
}
samples.sort()
let median = samples[samples.count / 2]
print(String(format: "argon2id m=19456 t=2 p=1: median %.1f ms per hash alone (%d rounds, min %.1f, max %.1f)", median, rounds, samples.first!, samples.last!))

let cores = System.coreCount
let total = rounds * cores
let start = DispatchTime.now().uptimeNanoseconds
try await withThrowingTaskGroup(of: Void.self) { group in
    for _ in 0..<cores {
        group.addTask { for _ in 0..<rounds { _ = try await hasher.verify(password, against: hash) } }
    }
    try await group.waitForAll()
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print(String(format: "argon2id ceiling: %d cores hashing at once, %.1f hashes/s", cores, Double(total) / seconds))
print(String(format: "ceiling_per_second=%.1f", Double(total) / seconds))
