import BrokerRuntime
import Foundation
import Testing

/// What a burst freed goes back to the system when the trimmer runs, not at the next burst.
@Suite("Memory trimmer")
struct MemoryTrimmerTests {
    /// This process's resident memory, in bytes (`/proc/self/statm`).
    static func resident() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = Int(statm.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func freedHeapMemoryGoesBackToTheSystem() throws {
        // 48 MB in 32 kB blocks, each followed by a small block that stays: freeing the large
        // ones leaves holes in the heap, which glibc keeps (free() only returns the heap's top).
        var blocks: [UnsafeMutableRawPointer] = []
        var pins: [UnsafeMutableRawPointer] = []
        for _ in 0..<1_500 {
            let block = try #require(malloc(32 * 1024))
            memset(block, 1, 32 * 1024)
            blocks.append(block)
            pins.append(try #require(malloc(16)))
        }
        defer { for pin in pins { free(pin) } }
        // Measured before the frees: another test's runtime may run its own trimmer meanwhile.
        let held = try Self.resident()
        for block in blocks { free(block) }
        MemoryTrimmer.trim()
        let trimmed = try Self.resident()
        #expect(held - trimmed > 24 * 1024 * 1024, "returned \((held - trimmed) / 1024) kB of the 48 MB freed")
    }
}
