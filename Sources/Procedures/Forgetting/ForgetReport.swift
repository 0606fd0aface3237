// ForgetReport.swift — the field's forgetting metrics (MUSE, TOFU, open-unlearning; specs/measurements.md)
// for one model on one concept: verbatim memorisation (ROUGE-L of greedy continuations), membership
// inference (loss and Min-K%++ AUC, members against held-out concept text), and the per-passage losses
// that TOFU's forget quality compares with a never-trained reference by a Kolmogorov–Smirnov test.
import Autograd
import Foundation
import GPT2

/// Concept passages: `members` from the text the original trained on, `holdout` from the same books'
/// held-out part (trained on by no model), both spread evenly across every book.
public struct ConceptPassages: Sendable {
    public let members: [[Int32]]
    public let holdout: [[Int32]]

    /// `count` windows of `length` tokens from each of the part's training and held-out streams
    /// (fewer when the held-out text is short), evenly spaced so every book contributes.
    public init(part: TokenCorpus.Part, count: Int, length: Int) throws {
        func windows(_ stream: [Int32], _ count: Int) -> [[Int32]] {
            let available = stream.count / length
            let n = min(count, available)
            guard n > 0 else { return [] }
            let stride = stream.count / n
            return (0..<n).map { i in Array(stream[(i * stride)..<(i * stride + length)]) }
        }
        let holdout = windows(part.heldOut, count)
        guard holdout.count >= 10 else {
            throw GPT2Error("forget report: only \(holdout.count) held-out windows of \(length) tokens in \(part.name) (expected at least 10; use a shorter --length)")
        }
        self.holdout = holdout
        members = windows(part.train, holdout.count)   // as many members as non-members, spread over every book
    }
}

/// What one model does with the concept passages.
public struct ConceptMemorisation: Sendable {
    /// Per-passage mean next-token loss (nats), members and holdout.
    public let memberLosses: [Double]
    public let holdoutLosses: [Double]
    /// Per-passage Min-K%++ scores (k = 20%).
    public let memberMinKPlusPlus: [Double]
    public let holdoutMinKPlusPlus: [Double]
    /// ROUGE-L F of the greedy continuation of each verbatim prompt against the true text.
    public let verbatimRougeL: [Double]

    /// AUC of −loss (members should score higher when the model remembers them).
    public var lossAUC: Double { (try? ROC.auc(positives: memberLosses.map { -$0 }, negatives: holdoutLosses.map { -$0 })) ?? .nan }
    public var minKPlusPlusAUC: Double { (try? ROC.auc(positives: memberMinKPlusPlus, negatives: holdoutMinKPlusPlus)) ?? .nan }

    /// Scores `model` on `passages`. Verbatim memorisation prompts with the first `prefix` tokens of
    /// the first `verbatimCount` member passages and generates `continuation` tokens greedily.
    public static func measure(model: GPT2Model, passages: ConceptPassages, verbatimCount: Int, prefix: Int, continuation: Int,
                               batchSize: Int = 4, shouldStop: () -> Bool = { Interrupt.isRequested },
                               progress: (Int, Int) -> Void = { _, _ in }) throws -> ConceptMemorisation {
        let all = passages.members + passages.holdout
        let total = all.count + min(verbatimCount, passages.members.count)
        var losses: [Double] = [], minK: [Double] = []
        let vocabulary = model.config.vocabSize
        try GradMode.withNoGrad {
            for start in stride(from: 0, to: all.count, by: batchSize) {
                if shouldStop() { throw Interrupted("forget report: stopped after \(start) of \(all.count) passages") }
                progress(start, total)
                let chunk = Array(all[start..<min(all.count, start + batchSize)])
                let logits = try model.logits(TokenBatch(sequences: chunk))               // [batch, pos, vocab]
                let length = logits.shape[1]
                var logProbabilities = [Float](repeating: 0, count: (length - 1) * vocabulary)
                for (row, passage) in chunk.enumerated() {
                    // log-softmax of each position's logits, then the passage's scores from it.
                    logits.data.withUnsafeBufferPointer { z in
                        logProbabilities.withUnsafeMutableBufferPointer { out in
                            for t in 0..<(passage.count - 1) {
                                logSoftmaxRow(z.baseAddress! + (row * length + t) * vocabulary, vocabulary, into: out.baseAddress! + t * vocabulary)
                            }
                        }
                    }
                    let scores = try logProbabilities.withUnsafeBufferPointer {
                        try Memorisation.scores(logProbabilities: UnsafeBufferPointer(rebasing: $0[0..<((passage.count - 1) * vocabulary)]),
                                                vocabulary: vocabulary, targets: Array(passage.dropFirst()))
                    }
                    losses.append(-scores.loss)
                    minK.append(scores.minKPlusPlus)
                }
            }
        }
        var rouge: [Double] = []
        // Verbatim prompts spread over the members (so over every book), not the first books' passages.
        let chosen = verbatimCount <= 0 ? [] : (0..<min(verbatimCount, passages.members.count)).map { passages.members[$0 * passages.members.count / min(verbatimCount, passages.members.count)] }
        for (index, passage) in chosen.enumerated() {
            if shouldStop() { throw Interrupted("forget report: stopped after \(index) of \(verbatimCount) verbatim prompts") }
            progress(all.count + index, total)
            guard passage.count >= prefix + continuation else { continue }
            var rng = RNG(seed: 0)   // greedy: unused
            let generated = try model.generate(prompt: Array(passage.prefix(prefix)),
                                               options: SamplingOptions(maxNewTokens: continuation, stopAtEndOfText: false), rng: &rng)
            rouge.append(Memorisation.rougeL(generated, reference: Array(passage[prefix..<(prefix + continuation)])))
        }
        let m = passages.members.count
        return ConceptMemorisation(memberLosses: Array(losses.prefix(m)), holdoutLosses: Array(losses.dropFirst(m)),
                                   memberMinKPlusPlus: Array(minK.prefix(m)), holdoutMinKPlusPlus: Array(minK.dropFirst(m)),
                                   verbatimRougeL: rouge)
    }
}
