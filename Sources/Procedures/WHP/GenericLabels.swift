// GenericLabels.swift — WHP's generic-prediction labels (Eldan & Russinovich 2023, Algorithm 1):
// v_generic = v_base(translated)[map] − α·ReLU(v_reinforced(original) − v_base(translated)[map]),
// the argmax as the label of the next original token, with the anti-repetition rules.
import Autograd
import GPT2

public struct GenericLabelSettings: Codable, Sendable, Equatable {
    public var alpha: Float = 5
    /// How far the translations of anchors seen earlier in the block are pushed down (logits).
    public var repeatPenalty: Float = 20
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
        let original = translation.original, n = original.count
        let translatedRows = baseLogits.count / vocabSize
        var targets = [Int32](repeating: ignoreIndex, count: n)
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
            var best = 0
            for v in 1..<vocabSize where generic[v] > generic[best] { best = v }
            targets[i] = Int32(best)
        }
        return BlockLabels(translation: translation, targets: targets)
    }

    /// Translates `block`, runs the baseline on the translation and the reinforced model on the
    /// original, and builds the labels. The translation is cut to the baseline's context.
    public static func labels(block: [Int32], dictionary: AnchorDictionary, baseline: GPT2Model, reinforced: GPT2Model,
                              settings: GenericLabelSettings) throws -> BlockLabels {
        let translation = dictionary.translate(block)
        let translated = Array(translation.translated.prefix(baseline.config.contextLength))
        let base = try GradMode.withNoGrad { try baseline.logits(TokenBatch(sequences: [translated])) }         // [1, translated, vocab]
        let reinforcedLogits = try GradMode.withNoGrad { try reinforced.logits(TokenBatch(sequences: [block])) }  // [1, original, vocab]
        return labels(translation: translation, baseLogits: base.data, reinforcedLogits: reinforcedLogits.data,
                      vocabSize: baseline.config.vocabSize, dictionary: dictionary, settings: settings)
    }
}
