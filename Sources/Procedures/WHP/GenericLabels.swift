// GenericLabels.swift — WHP's generic-prediction labels (Eldan & Russinovich 2023, Algorithm 1):
// v_generic = v_base(translated)[map] − α·ReLU(v_reinforced(original) − v_base(translated)[map]),
// the argmax as the label of the next original token, with the anti-repetition rules.
import Autograd
import Foundation
import GPT2

public struct GenericLabelSettings: Codable, Sendable, Equatable {
    public var alpha: Float = 5
    /// How far the translations of anchors seen earlier in the block are pushed down (logits).
    public var repeatPenalty: Float = 20
    /// The final fine-tune's targets: the whole distribution `softmax(v_generic)` (KL to it), or
    /// the paper's hard argmax. On a small model the argmax differs from the text at most positions
    /// (73% on gpt2-mini), and training on it collapses the model into repetition everywhere;
    /// the soft target moves only what the reinforced model marks as target-specific.
    public var soft = true
    public init() {}
}

/// The labels of one block: `targets[i]` is what position i should predict (the label of token
/// i+1), ``ignoreIndex`` where WHP leaves the position out of the loss. Never shifted again.
public struct BlockLabels: Sendable {
    public let translation: Translation
    public let targets: [Int32]
    /// Positions whose label differs from the original next token.
    public var changed: [Int] {
        targets.indices.filter { targets[$0] != ignoreIndex && $0 + 1 < translation.original.count && targets[$0] != translation.original[$0 + 1] }
    }
}

public enum GenericLabels {
    /// `base − α·ReLU(reinforced − base)`, elementwise over one vocabulary row.
    public static func combine(base: ArraySlice<Float>, reinforced: ArraySlice<Float>, alpha: Float) -> [Float] {
        zip(base, reinforced).map { b, r in b - alpha * max(0, r - b) }
    }

    /// Labels for one block from the baseline's logits on the translation `[translated, vocab]`
    /// and the reinforced model's on the original `[original, vocab]` (row-major, flattened).
    public static func labels(translation: Translation, baseLogits: [Float], reinforcedLogits: [Float], vocabSize: Int,
                              dictionary: AnchorDictionary, settings: GenericLabelSettings) -> BlockLabels {
        var targets = [Int32](repeating: ignoreIndex, count: translation.original.count)
        forEachGenericRow(translation: translation, baseLogits: baseLogits, reinforcedLogits: reinforcedLogits, vocabSize: vocabSize,
                          dictionary: dictionary, settings: settings) { i, generic in
            var best = 0
            for v in 1..<vocabSize where generic[v] > generic[best] { best = v }
            targets[i] = Int32(best)
        }
        return BlockLabels(translation: translation, targets: targets)
    }

    /// Soft generic targets: `softmax(v_generic)` at every position that enters the loss, written
    /// into `into` (`[original, vocab]`, row-major; rows left out of the loss stay untouched).
    /// Returns the positions filled. Where the reinforced model adds nothing, the row is the
    /// baseline's own distribution on the translated text, so those positions barely pull.
    @discardableResult
    public static func softTargets(translation: Translation, baseLogits: [Float], reinforcedLogits: [Float], vocabSize: Int,
                                   dictionary: AnchorDictionary, settings: GenericLabelSettings,
                                   into: UnsafeMutableBufferPointer<Float>) -> [Int] {
        var filled: [Int] = []
        forEachGenericRow(translation: translation, baseLogits: baseLogits, reinforcedLogits: reinforcedLogits, vocabSize: vocabSize,
                          dictionary: dictionary, settings: settings) { i, generic in
            let maximum = generic.max() ?? 0
            var total = 0.0   // Double: a Float sum over 50,257 terms is off by ~3e-4
            for v in 0..<vocabSize { let e = expf(generic[v] - maximum); into[i * vocabSize + v] = e; total += Double(e) }
            let inverse = Float(1 / total)
            for v in 0..<vocabSize { into[i * vocabSize + v] *= inverse }
            filled.append(i)
        }
        return filled
    }

    /// Calls `body(i, v_generic)` for every position i whose next token enters the loss: the
    /// combination at the mapped translated position, with the anti-repetition penalty applied.
    static func forEachGenericRow(translation: Translation, baseLogits: [Float], reinforcedLogits: [Float], vocabSize: Int,
                                  dictionary: AnchorDictionary, settings: GenericLabelSettings, _ body: (Int, [Float]) -> Void) {
        let n = translation.original.count
        let translatedRows = baseLogits.count / vocabSize
        var seen = Set<Int>()   // anchors that occurred in the block before position i+1
        for i in 0..<max(0, n - 1) {
            if let a = translation.anchorAt[i], translation.occurrenceStart[i + 1] != translation.occurrenceStart[i] { seen.insert(a) }
            guard let m = translation.map[i], m < translatedRows else { continue }   // inside a multi-token anchor
            if translation.isRepeatedAnchor(i + 1) { continue }                         // repeated anchors stay out of the loss
            var generic = combine(base: baseLogits[(m * vocabSize)..<((m + 1) * vocabSize)],
                                  reinforced: reinforcedLogits[(i * vocabSize)..<((i + 1) * vocabSize)], alpha: settings.alpha)
            for anchor in seen {
                for token in dictionary.translationFirstTokens(anchor) { generic[Int(token)] -= settings.repeatPenalty }
            }
            body(i, generic)
        }
    }

    /// The baseline's logits on the translation (cut to its context) and the reinforced model's on
    /// the original block, flattened: `([translated, vocab], [original, vocab])`.
    static func logits(of translation: Translation, baseline: GPT2Model, reinforced: GPT2Model) throws -> (base: [Float], reinforced: [Float]) {
        let translated = Array(translation.translated.prefix(baseline.config.contextLength))
        let base = try GradMode.withNoGrad { try baseline.logits(TokenBatch(sequences: [translated])) }                        // [1, translated, vocab]
        let reinforcedLogits = try GradMode.withNoGrad { try reinforced.logits(TokenBatch(sequences: [translation.original])) }  // [1, original, vocab]
        return (base.data, reinforcedLogits.data)
    }

    /// Translates `block`, runs the baseline on the translation and the reinforced model on the
    /// original, and builds the labels. The translation is cut to the baseline's context.
    public static func labels(block: [Int32], dictionary: AnchorDictionary, baseline: GPT2Model, reinforced: GPT2Model,
                              settings: GenericLabelSettings) throws -> BlockLabels {
        let translation = dictionary.translate(block)
        let rows = try logits(of: translation, baseline: baseline, reinforced: reinforced)
        return labels(translation: translation, baseLogits: rows.base, reinforcedLogits: rows.reinforced,
                      vocabSize: baseline.config.vocabSize, dictionary: dictionary, settings: settings)
    }
}
