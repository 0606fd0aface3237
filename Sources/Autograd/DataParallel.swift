// DataParallel.swift — one batch split across the cores: each share of the rows runs on its own
// thread with single-threaded kernels. In a training step each share runs forward and backward,
// and the leaves' gradients are kept apart per share and summed afterwards in share order.
//
// At width 128 a second thread inside each op buys little (the products are too small to split
// well and every op pays a fork-join), while two halves of a batch are two independent pieces of
// work of the same size. The sum is in a fixed order, so a step's result depends only on the
// script, the seed and the thread count, as everywhere in Lethe.
import Dispatch
import Foundation

public enum DataParallel {
    /// Back-propagates a loss that is a mean over `rows` rows, as one call of
    /// `loss(0..<rows, &rng).backward()` scaled by `scale` would. With one thread, a single row, or
    /// more than `maximumParameters` learning values (`parameters`), it is exactly that call. Otherwise
    /// the rows are split into `Threads.count` shares (at most one per row); share `s` runs on its own
    /// thread with its own generator, forked from `rng` in share order, and its loss is weighted by its
    /// share of the rows. Share 0 accumulates into the leaves' gradients directly; every other share
    /// holds a gradient buffer of its own, which is why large models are not split.
    /// Returns the loss over all rows, unscaled: the rows-weighted mean of the shares' losses.
    public static func backward(rows: Int, parameters: Int, scale: Float = 1, rng: inout RNG,
                                _ loss: (Range<Int>, inout RNG) throws -> Tensor) throws -> Float {
        let shares = min(Threads.count, rows)
        if shares <= 1 || isActive || parameters > maximumParameters {
            let value = try loss(0..<rows, &rng)
            (scale == 1 ? value : Autograd.scale(value, scale)).backward()
            return value.item
        }
        let ranges = shareRanges(rows: rows, shares: shares)
        let generators = (0..<shares).map { _ in rng.fork() }
        let gradients = (0..<shares).map { _ in ShareGradients() }   // [0] stays empty: share 0 writes to the leaves
        let losses = try runShares(shares) { s in
            ShareGradients.current = s == 0 ? nil : gradients[s]
            defer { ShareGradients.current = nil }
            var generator = generators[s]
            let value = try loss(ranges[s], &generator)
            Autograd.scale(value, scale * Float(ranges[s].count) / Float(rows)).backward()
            return value.item
        }
        for share in gradients { share.addIntoLeaves() }
        return zip(losses, ranges).reduce(0) { $0 + $1.0 * Float($1.1.count) / Float(rows) }
    }

    /// `body` on each share of `rows` rows, side by side, one thread each, in share order in the
    /// result: inference over a batch (features, scores) on every core. With one thread or one row
    /// it is `[body(0..<rows)]`. `body` must only read shared state.
    public static func map<T>(rows: Int, _ body: (Range<Int>) throws -> T) throws -> [T] {
        let shares = min(Threads.count, rows)
        if shares <= 1 || isActive { return [try body(0..<rows)] }
        let ranges = shareRanges(rows: rows, shares: shares)
        return try runShares(shares) { s in try body(ranges[s]) }
    }

    private static func shareRanges(rows: Int, shares: Int) -> [Range<Int>] {
        (0..<shares).map { s in (rows * s / shares)..<(rows * (s + 1) / shares) }
    }

    /// Runs `body(s)` for every share on its own thread, with single-threaded kernels and the
    /// caller's gradient mode, and returns the results in share order (or the first share's error).
    private static func runShares<T>(_ shares: Int, _ body: (Int) throws -> T) throws -> [T] {
        var results = [T?](repeating: nil, count: shares)
        var failures = [Error?](repeating: nil, count: shares)
        let recording = GradMode.isEnabled   // a task-local value: the shares' threads do not inherit it
        // The shares catch their own errors: nothing below throws until they have all finished.
        results.withUnsafeMutableBufferPointer { resultSlots in
            failures.withUnsafeMutableBufferPointer { failureSlots in
                let (resultOut, failureOut) = (SendablePointer(resultSlots.baseAddress!), SendablePointer(failureSlots.baseAddress!))
                Threads.withOneThreadPerShare {
                    withoutActuallyEscaping(body) { body in
                        let box = UncheckedBox(body)
                        DispatchQueue.concurrentPerform(iterations: shares) { s in
                            do {
                                resultOut.base[s] = try GradMode.$enabled.withValue(recording) { try box.value(s) }
                            } catch {
                                failureOut.base[s] = error
                            }
                        }
                    }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return results.map { $0! }   // every share either stored a result or failed (thrown above)
    }

    /// The largest model (learning values) a step is split for: each share beyond the first holds a
    /// gradient buffer of 4 bytes per value, and at GPT-2 124M that would take Lethe's training past
    /// its 2.6 GiB budget, while OpenBLAS's own threads already use both cores well at that size.
    public static let maximumParameters = 64_000_000

    /// True while shares run: nested calls (a share's loss that itself splits) run inline.
    public static var isActive: Bool { Threads.isSharing }
}

/// The gradients one share's backward pass sends to leaves (parameters), held apart from the
/// leaves' own `grad` until every share has finished.
final class ShareGradients: @unchecked Sendable {
    private var entries: [ObjectIdentifier: (leaf: Tensor, grad: [Float])] = [:]

    /// The share the current thread computes, if any.
    static var current: ShareGradients? {
        get { Thread.current.threadDictionary[key] as? ShareGradients }
        set { Thread.current.threadDictionary[key] = newValue }
    }
    private static let key = "lethe.dataParallel.share"

    func accumulate(_ leaf: Tensor, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let id = ObjectIdentifier(leaf)
        var grad = entries.removeValue(forKey: id)?.grad ?? [Float](repeating: 0, count: leaf.count)
        grad.withUnsafeMutableBufferPointer { body($0) }
        entries[id] = (leaf, grad)
    }

    /// Adds this share's gradients into the leaves' `grad` (called for each share in share order).
    func addIntoLeaves() {
        for (leaf, grad) in entries.values {
            leaf.accumulateGrad { g in
                grad.withUnsafeBufferPointer { s in for i in 0..<g.count { g[i] += s[i] } }
            }
        }
        entries = [:]
    }
}
