// KVCache.swift — incremental decoding for one sequence: keys and values of past positions are kept,
// so each new token runs the blocks on one position only.
import Autograd
import Foundation

public struct KVCache {
    let model: GPT2Model
    private(set) var length = 0
    private var keys: [[Float]]     // per layer: [pos, dModel]
    private var values: [[Float]]   // per layer: [pos, dModel]

    /// Hooks every appended position runs through (the same points as the full forward; positions
    /// are the new ones only, attention maps cover the cached keys too).
    let hooks: Hooks?

    public init(model: GPT2Model, hooks: Hooks? = nil) {
        self.model = model
        self.hooks = Hooks.combining(hooks, with: model.interventions)
        keys = Array(repeating: [], count: model.config.layerCount)
        values = keys
    }

    /// Runs `tokens` (appended after the cached positions) and returns the next-token logits `[vocab]`
    /// after the last of them.
    public mutating func append(_ tokens: [Int32]) throws -> [Float] {
        let c = model.config
        let n = tokens.count, start = length
        guard start + n <= c.contextLength else {
            throw GPT2Error("generate: \(start + n) tokens exceed the model's context of \(c.contextLength)")
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
            throw GPT2Error("generate: token id \(bad) outside the vocabulary 0..<\(c.vocabSize)")
        }
        let tok = hooks.apply(.embed, embedding(model.wte, ids: tokens, shape: [1, n]))                       // [1, n, dModel]
        let pos = hooks.apply(.positionEmbed, embedding(model.wpe, ids: (start..<(start + n)).map { Int32($0) }, shape: [n]))   // [n, dModel]
        var x = add(tok, pos)
        var rng = RNG(seed: 0)   // inference: adapters' dropout is off and never draws
        for l in model.blocks.indices {
            x = model.block(l, x, training: false, rng: &rng, hooks: hooks) { qkv, scores, pattern in
                cachedCausalAttention(qkv, heads: c.headCount, keys: &keys[l], values: &values[l], start: start, scores: scores, pattern: pattern)
            }
        }
        length += n
        let normalized = hooks.apply(.finalNormalized, layerNorm(x, weight: model.lnFWeight, bias: model.lnFBias, epsilon: c.layerNormEpsilon))
        let last = sliceSequence(normalized, (n - 1)..<n)                                            // [1, 1, dModel]
        return model.logits(fromHidden: last).data                                                  // [vocab]
    }
}
