// DataParallelTests.swift — a training step split across two threads gives the gradients of the
// whole batch in one pass (to float rounding), the same bits every time, and an error from a share.
import Autograd
import Foundation
import GPT2
import Testing

/// The row ranges the loss was asked for, from whichever threads ran the shares.
private final class SeenShares: @unchecked Sendable {
    private let lock = NSLock()
    private var ranges: [Range<Int>] = []
    func add(_ range: Range<Int>) { lock.lock(); ranges.append(range); lock.unlock() }
    var sorted: [Range<Int>] { lock.lock(); defer { lock.unlock() }; return ranges.sorted { $0.lowerBound < $1.lowerBound } }
}

@Suite("Data-parallel training steps")
struct DataParallelTests {
    // Rows of different lengths: the shares' losses are means over different numbers of tokens.
    let batch = TokenBatch(sequences: [[3, 14, 15, 9, 2, 6, 5, 3], [5, 35, 8, 9, 7, 9, 3, 2], [1, 41, 42, 13, 5], [7, 18, 28, 18, 28, 4, 5, 9],
                                       [30, 31, 2, 2, 7, 11, 12, 13], [40, 9, 8]], padID: 0)

    private func model() throws -> GPT2Model {
        var rng = RNG(seed: 9)
        return try GPT2Model(config: GPT2Config(vocabSize: 60, contextLength: 16, embeddingSize: 32, layerCount: 2, headCount: 2,
                                                embeddingDropout: 0, residualDropout: 0, attentionDropout: 0), rng: &rng)
    }

    /// The gradients of every parameter after one `DataParallel.backward` at `threads` threads.
    private func gradients(threads: Int, scale: Float = 1, seen: SeenShares = SeenShares()) throws -> (loss: Float, grads: [[Float]]) {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = threads
        let model = try model()
        var rng = RNG(seed: 1)
        // A mean over rows: each row's mean token loss, averaged, so equal rows weigh equally however they are split.
        let loss = try DataParallel.backward(rows: batch.batchSize, parameters: model.config.parameterCount, scale: scale, rng: &rng) { rows, rng in
            seen.add(rows)
            let perRow = try rows.map { row in try model.languageModelLoss(batch.rows(row..<(row + 1)), training: true, rng: &rng) }
            return Autograd.scale(perRow.dropFirst().reduce(perRow[0]) { add($0, $1) }, 1 / Float(rows.count))
        }
        return (loss, model.parameters.map { $0.tensor.grad ?? [] })
    }

    @Test func twoSharesGiveTheWholeBatchsGradients() throws {
        let (wholeShares, splitShares) = (SeenShares(), SeenShares())
        let whole = try gradients(threads: 1, scale: 0.5, seen: wholeShares)
        let split = try gradients(threads: 2, scale: 0.5, seen: splitShares)
        #expect(wholeShares.sorted == [0..<6] && splitShares.sorted == [0..<3, 3..<6])
        #expect(abs(whole.loss - split.loss) < 1e-5 * abs(whole.loss))
        for (i, (a, b)) in zip(whole.grads, split.grads).enumerated() {
            #expect(a.count == b.count && !a.isEmpty, "parameter \(i) has no gradient")
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            let size = a.map(abs).max() ?? 0
            #expect(worst <= 1e-5 * max(size, 1e-3), "parameter \(i): the split gradient differs by \(worst) (largest \(size))")
        }
    }

    @Test func aSplitStepIsTheSameEveryTime() throws {
        let first = try gradients(threads: 2), second = try gradients(threads: 2)
        #expect(first.loss.bitPattern == second.loss.bitPattern)
        #expect(first.grads == second.grads)
    }

    @Test func anErrorInAShareIsThrown() throws {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 2
        let model = try model()
        var rng = RNG(seed: 1)
        #expect(throws: GPT2Error.self) {
            try DataParallel.backward(rows: 4, parameters: model.config.parameterCount, rng: &rng) { rows, rng in
                if rows.lowerBound > 0 { throw GPT2Error("share \(rows) failed") }
                return try model.languageModelLoss(batch.rows(rows), training: true, rng: &rng)
            }
        }
        #expect(!DataParallel.isActive)
        #expect(Threads.count == 2)
    }
}
