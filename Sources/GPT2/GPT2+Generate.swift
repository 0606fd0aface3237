// GPT2+Generate.swift — autoregressive sampling: greedy, temperature, top-k and top-p.
import Autograd
import Foundation

/// How to pick each next token.
public struct SamplingOptions: Sendable, Equatable {
    public var maxNewTokens: Int = 40
    /// 0 means greedy (argmax).
    public var temperature: Float = 0
    public var topK: Int = 0           // 0 = no limit
    public var topP: Float = 1         // 1 = no nucleus cut
    public var stopAtEndOfText = true

    public init(maxNewTokens: Int = 40, temperature: Float = 0, topK: Int = 0, topP: Float = 1, stopAtEndOfText: Bool = true) {
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.stopAtEndOfText = stopAtEndOfText
    }

    public func validate() throws {
        guard maxNewTokens >= 0 else { throw GPT2Error("--max-tokens must be ≥ 0, got \(maxNewTokens)") }
        guard temperature >= 0 && temperature.isFinite else { throw GPT2Error("--temperature must be ≥ 0, got \(temperature)") }
        guard topK >= 0 else { throw GPT2Error("--top-k must be ≥ 0, got \(topK)") }
        guard topP > 0 && topP <= 1 else { throw GPT2Error("--top-p must be in (0, 1], got \(topP)") }
    }
}

extension GPT2Model {
    /// Generates up to `maxNewTokens` tokens after `prompt`, calling `onToken` as each is chosen
    /// (return false to stop). Uses a key/value cache, so each new token costs one position.
    /// `hooks` run at every position, the prompt's and each new token's (TransformerLens' `generate`
    /// inside `hooks()`).
    public func generate(prompt: [Int32], options: SamplingOptions, rng: inout RNG, hooks: Hooks? = nil,
                         onToken: (Int32) -> Bool = { _ in true }) throws -> [Int32] {
        try options.validate()
        guard !prompt.isEmpty else { throw GPT2Error("generate: the prompt has no tokens") }
        var generated: [Int32] = []
        var cache = KVCache(model: self, hooks: hooks)
        var nextLogits = try GradMode.withNoGrad { try cache.append(prompt) }
        while generated.count < options.maxNewTokens {
            let token = sampleToken(logits: nextLogits, options: options, rng: &rng)
            generated.append(token)
            if !onToken(token) { break }
            if options.stopAtEndOfText && token == BPETokenizer.endOfTextID { break }
            if generated.count == options.maxNewTokens { break }
            if cache.length >= config.contextLength { break }   // context full: stop rather than slide silently
            nextLogits = try GradMode.withNoGrad { try cache.append([token]) }
        }
        return generated
    }
}

/// Picks a token from one row of logits `[vocab]`.
func sampleToken(logits: [Float], options: SamplingOptions, rng: inout RNG) -> Int32 {
    if options.temperature == 0 {
        var best = 0
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }   // first maximum, as torch.argmax
        return Int32(best)
    }
    var candidates = Array(0..<logits.count)
    if options.topK > 0 && options.topK < candidates.count {
        candidates.sort { logits[$0] > logits[$1] }
        candidates = Array(candidates.prefix(options.topK))
    }
    let maxLogit = candidates.map { logits[$0] }.max() ?? 0
    var weights = candidates.map { Double(expf((logits[$0] - maxLogit) / options.temperature)) }
    if options.topP < 1 {
        let order = weights.indices.sorted { weights[$0] > weights[$1] }
        let total = weights.reduce(0, +)
        var kept = Set<Int>(), mass = 0.0
        for i in order {
            kept.insert(i)
            mass += weights[i] / total
            if mass >= Double(options.topP) { break }
        }
        for i in weights.indices where !kept.contains(i) { weights[i] = 0 }
    }
    let total = weights.reduce(0, +)
    var u = rng.nextDouble() * total
    for (i, w) in weights.enumerated() {
        u -= w
        if u < 0 { return Int32(candidates[i]) }
    }
    return Int32(candidates[weights.lastIndex { $0 > 0 } ?? 0])
}
