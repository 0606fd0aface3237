// Parallel.swift — how Swift-side kernels use more than one core.
import Dispatch
import Foundation

/// The number of threads Lethe's kernels (and OpenBLAS) use. Defaults to the machine's cores.
public enum Threads {
    nonisolated(unsafe) private static var current: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// What decides the roundings of a run besides the script and the seed: OpenBLAS's kernels for this
    /// CPU and the thread count. Recorded in session headers; trained numbers differ when it differs.
    public static var numericalSetting: String { "OpenBLAS \(BLASThreads.coreName) kernels, \(count) threads" }

    /// The most threads Lethe will use (OpenBLAS takes an Int32 and far fewer are useful).
    public static let maximum = 1024

    /// Threads used by Swift kernels and OpenBLAS. Set once at start-up (not thread-safe to change mid-op).
    public static var count: Int {
        get { current }
        set {
            current = min(max(1, newValue), maximum)
            BLASThreads.set(current)
        }
    }

    /// True while a data-parallel step's shares run, each on its own thread (see `DataParallel`).
    nonisolated(unsafe) public private(set) static var isSharing = false

    /// Runs `body` (which starts one thread per share) with every kernel and OpenBLAS single-threaded
    /// inside the shares, and the thread count restored afterwards.
    static func withOneThreadPerShare<R>(_ body: () throws -> R) rethrows -> R {
        let threads = current
        current = 1
        BLASThreads.set(1)
        isSharing = true
        defer {
            isSharing = false
            current = threads
            BLASThreads.set(threads)
        }
        return try body()
    }

    /// Runs `body` with OpenBLAS restricted to one thread: used when Lethe itself already runs
    /// several small products in parallel (attention heads), where nested threading only costs.
    static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        if current == 1 { return try body() }
        BLASThreads.set(1)
        defer { BLASThreads.set(current) }
        return try body()
    }
}

/// A pointer wrapper that may cross into worker threads. Kernels guarantee disjoint writes.
@usableFromInline
struct SendablePointer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// Splits `0..<count` into contiguous chunks, one per thread, and runs `body` on each.
/// Work below `minimumPerThread` items stays on the calling thread.
@inlinable
func parallelChunks(_ count: Int, minimumPerThread: Int = 4096, _ body: (Range<Int>) -> Void) {
    let threads = min(Threads.count, max(1, count / max(1, minimumPerThread)))
    if threads <= 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = count * t / threads
            let end = count * (t + 1) / threads
            box.value(start..<end)
        }
    }
}

/// Runs `body(i)` for every `i` in `0..<count` spread over the threads (coarse-grained work items).
@inlinable
func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    parallelChunks(count, minimumPerThread: 1) { range in
        for i in range { body(i) }
    }
}

@usableFromInline
struct UncheckedBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
