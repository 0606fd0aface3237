// GPT2.swift — GPT-2 (Radford et al. 2019) on Lethe's autograd, with Hugging Face parameter names
// and TransformerLens hook names. Follows nanoGPT's model.py and HF's modeling_gpt2.py.
import Autograd

/// One transformer block's parameters (`h.{i}.*` in Hugging Face's names).
public final class GPT2Block {
    public let ln1Weight, ln1Bias: Tensor            // [dModel]
    public let attnWeight, attnBias: Tensor          // c_attn: [dModel, 3·dModel], [3·dModel]
    public let attnProjWeight, attnProjBias: Tensor  // attn.c_proj: [dModel, dModel], [dModel]
    public let ln2Weight, ln2Bias: Tensor            // [dModel]
    public let fcWeight, fcBias: Tensor              // mlp.c_fc: [dModel, dMLP], [dMLP]
    public let mlpProjWeight, mlpProjBias: Tensor    // mlp.c_proj: [dMLP, dModel], [dModel]

    init(_ p: (String) -> Tensor) {
        ln1Weight = p("ln_1.weight"); ln1Bias = p("ln_1.bias")
        attnWeight = p("attn.c_attn.weight"); attnBias = p("attn.c_attn.bias")
        attnProjWeight = p("attn.c_proj.weight"); attnProjBias = p("attn.c_proj.bias")
        ln2Weight = p("ln_2.weight"); ln2Bias = p("ln_2.bias")
        fcWeight = p("mlp.c_fc.weight"); fcBias = p("mlp.c_fc.bias")
        mlpProjWeight = p("mlp.c_proj.weight"); mlpProjBias = p("mlp.c_proj.bias")
    }

    /// Suffixes of a block's parameter names and their shapes, in Hugging Face order.
    static func parameterShapes(_ c: GPT2Config) -> [(String, [Int])] {
        let d = c.embeddingSize, f = c.innerSize
        return [("ln_1.weight", [d]), ("ln_1.bias", [d]),
                ("attn.c_attn.weight", [d, 3 * d]), ("attn.c_attn.bias", [3 * d]),
                ("attn.c_proj.weight", [d, d]), ("attn.c_proj.bias", [d]),
                ("ln_2.weight", [d]), ("ln_2.bias", [d]),
                ("mlp.c_fc.weight", [d, f]), ("mlp.c_fc.bias", [f]),
                ("mlp.c_proj.weight", [f, d]), ("mlp.c_proj.bias", [d])]
    }
}

/// A right-padded batch of token ids: row `b` has `lengths[b]` real tokens, then padding.
public struct TokenBatch: Sendable {
    public let ids: [Int32]        // [batch, pos] row-major
    public let batchSize: Int
    public let length: Int
    public let lengths: [Int]

    public init(ids: [Int32], batchSize: Int, length: Int, lengths: [Int]? = nil) {
        precondition(ids.count == batchSize * length, "TokenBatch: \(ids.count) ids for [\(batchSize), \(length)]")
        self.ids = ids
        self.batchSize = batchSize
        self.length = length
        self.lengths = lengths ?? Array(repeating: length, count: batchSize)
    }

    /// Pads sequences on the right with `padID` to the longest one.
    public init(sequences: [[Int32]], padID: Int32 = 50256) {
        let length = sequences.map(\.count).max() ?? 0
        var ids: [Int32] = []
        ids.reserveCapacity(sequences.count * length)
        for s in sequences { ids += s + Array(repeating: padID, count: length - s.count) }
        self.init(ids: ids, batchSize: sequences.count, length: length, lengths: sequences.map(\.count))
    }

    public var isPadded: Bool { lengths.contains { $0 < length } }

    /// The rows in `range`, at the same padded length (a share of a data-parallel step).
    public func rows(_ range: Range<Int>) -> TokenBatch {
        TokenBatch(ids: Array(ids[(range.lowerBound * length)..<(range.upperBound * length)]), batchSize: range.count,
                   length: length, lengths: Array(lengths[range]))
    }

    /// Next-token targets: `ids[b, t+1]` where that is a real token, ``ignoreIndex`` elsewhere.
    public var nextTokenTargets: [Int32] {
        var targets = [Int32](repeating: ignoreIndex, count: ids.count)
        for b in 0..<batchSize {
            for t in 0..<max(0, lengths[b] - 1) { targets[b * length + t] = ids[b * length + t + 1] }
        }
        return targets
    }
}

/// GPT-2 with a tied LM head. Parameters are plain tensors; `parameters` lists them under
/// Hugging Face's names (`wte.weight`, `h.0.attn.c_attn.weight`, …, `ln_f.bias`).
public final class GPT2Model {
    public let config: GPT2Config
    public let wte: Tensor   // [vocab, dModel], also the LM head
    public let wpe: Tensor   // [context, dModel]
    public let blocks: [GPT2Block]
    public let lnFWeight, lnFBias: Tensor
    public let parameters: [Parameter]
    /// What has been done to this model (loaded from, trained by, …), newest last. Saved with checkpoints.
    public var history: [String] = []
    /// Low-rank adapters on some projections (ELM trains these; nil for a plain model).
    public var adapters: LoRAAdapters?
    /// Lasting edits at hook points (ablations, steering), applied in every forward pass; not saved
    /// with the weights.
    public var interventions: [Intervention] = [] { didSet { interventionRevision &+= 1 } }
    /// Changes whenever `interventions` does: caches of activations key on it with the weights' fingerprint.
    public private(set) var interventionRevision = 0

    /// Builds a model from named tensors (already verified by the loader or made by `init(config:rng:)`).
    init(config: GPT2Config, tensors: [String: Tensor]) {
        self.config = config
        func take(_ name: String) -> Tensor {
            guard let t = tensors[name] else { preconditionFailure("GPT2Model: tensor \(name) missing after verification") }
            return t
        }
        wte = take("wte.weight")
        wpe = take("wpe.weight")
        blocks = (0..<config.layerCount).map { i in GPT2Block { take("h.\(i).\($0)") } }
        lnFWeight = take("ln_f.weight")
        lnFBias = take("ln_f.bias")
        parameters = GPT2Model.parameterShapes(config).map { Parameter($0.0, take($0.0)) }
        for p in parameters { p.tensor.requiresGrad = true }
    }

    /// A freshly initialised model, as Hugging Face initialises GPT-2: normal(0, 0.02) weights,
    /// zero biases, unit LayerNorm gains, and residual projections scaled by 1/√(2·layers).
    public convenience init(config: GPT2Config, rng: inout RNG) throws {
        try config.validate()
        var tensors: [String: Tensor] = [:]
        let residualStd = 0.02 / Float(2 * max(1, config.layerCount)).squareRoot()
        for (name, shape) in GPT2Model.parameterShapes(config) {
            if name.hasSuffix("ln_1.weight") || name.hasSuffix("ln_2.weight") || name == "ln_f.weight" {
                tensors[name] = Tensor(filled: 1, shape: shape)
            } else if shape.count == 1 {
                tensors[name] = Tensor(zeros: shape)
            } else {
                let std = name.hasSuffix("c_proj.weight") ? residualStd : 0.02
                tensors[name] = Tensor.randn(shape, std: std, rng: &rng)
            }
        }
        self.init(config: config, tensors: tensors)
        history.append("initialised randomly")
    }

    /// Every parameter name and shape, in Hugging Face's order.
    public static func parameterShapes(_ c: GPT2Config) -> [(String, [Int])] {
        var shapes: [(String, [Int])] = [("wte.weight", [c.vocabSize, c.embeddingSize]),
                                         ("wpe.weight", [c.contextLength, c.embeddingSize])]
        for i in 0..<c.layerCount {
            shapes += GPT2Block.parameterShapes(c).map { ("h.\(i).\($0.0)", $0.1) }
        }
        return shapes + [("ln_f.weight", [c.embeddingSize]), ("ln_f.bias", [c.embeddingSize])]
    }

    public func parameter(named name: String) -> Tensor? { parameters.first { $0.name == name }?.tensor }

    // MARK: - Forward

    /// The final hidden states `[batch, pos, dModel]` (after `ln_f`).
    /// In training mode dropout is applied (embedding and residual; see the note on attention dropout in the README).
    public func hiddenStates(_ batch: TokenBatch, training: Bool = false, rng: inout RNG, hooks callerHooks: Hooks? = nil) throws -> Tensor {
        try checkInput(batch)
        let hooks = Hooks.combining(callerHooks, with: interventions)
        let (B, T) = (batch.batchSize, batch.length)
        let tokens = hooks.apply(.embed, embedding(wte, ids: batch.ids, shape: [B, T]))                     // [batch, pos, dModel]
        let positions = hooks.apply(.positionEmbed, embedding(wpe, ids: (0..<Int32(T)).map { $0 }, shape: [T]))   // [pos, dModel]
        var x = dropout(add(tokens, positions), p: config.embeddingDropout, training: training, rng: &rng)
        for l in blocks.indices {
            x = block(l, x, training: training, rng: &rng, hooks: hooks) { qkv, scores, pattern in
                causalSelfAttention(qkv, heads: config.headCount, lengths: batch.lengths, scores: scores, pattern: pattern)
            }
        }
        return hooks.apply(.finalNormalized, layerNorm(x, weight: lnFWeight, bias: lnFBias, epsilon: config.layerNormEpsilon))
    }

    /// Transformer block `l` (pre-LayerNorm, as GPT-2): `[batch, pos, dModel]` → `[batch, pos, dModel]`.
    /// The one block of every forward path: `attend` turns the fused projection `[batch, pos, 3·dModel]`
    /// into the heads' outputs `[batch, pos, dModel]` — over the whole sequence, or over a key/value cache.
    func block(_ l: Int, _ input: Tensor, training: Bool, rng: inout RNG, hooks: Hooks?,
               attend: (_ qkv: Tensor, _ scores: ((Tensor) -> Void)?, _ pattern: ((Tensor) -> Void)?) -> Tensor) -> Tensor {
        let p = blocks[l]
        let x = hooks.apply(.block(l, .residPre), input)
        var qkv = project(layerNorm(x, weight: p.ln1Weight, bias: p.ln1Bias, epsilon: config.layerNormEpsilon),
                          .init(l, .attention), weight: p.attnWeight, bias: p.attnBias, training, &rng)   // [batch, pos, 3·dModel]
        if hooks.isActive(.block(l, .q)) || hooks.isActive(.block(l, .k)) || hooks.isActive(.block(l, .v)) {
            qkv = throughHeadHooks(qkv, layer: l, hooks: hooks)
        }
        let attended = attend(qkv, hooks?.observer(.block(l, .attnScores)), hooks?.observer(.block(l, .pattern)))  // [batch, pos, dModel]
        let z = hooks.isActive(.block(l, .z)) ? asHeads(hooks.apply(.block(l, .z), asHeads(attended)), merge: true) : attended
        let attnOut = hooks.apply(.block(l, .attnOut),
                                  project(z, .init(l, .attentionOut), weight: p.attnProjWeight, bias: p.attnProjBias, training, &rng))
        let mid = hooks.apply(.block(l, .residMid), add(x, dropout(attnOut, p: config.residualDropout, training: training, rng: &rng)))
        let pre = hooks.apply(.block(l, .mlpPre),
                              project(layerNorm(mid, weight: p.ln2Weight, bias: p.ln2Bias, epsilon: config.layerNormEpsilon),
                                      .init(l, .mlpIn), weight: p.fcWeight, bias: p.fcBias, training, &rng))   // [batch, pos, dMLP]
        let post = hooks.apply(.block(l, .mlpPost), gelu(pre))
        let mlpOut = hooks.apply(.block(l, .mlpOut), project(post, .init(l, .mlpOut), weight: p.mlpProjWeight, bias: p.mlpProjBias, training, &rng))
        return hooks.apply(.block(l, .residPost), add(mid, dropout(mlpOut, p: config.residualDropout, training: training, rng: &rng)))
    }

    /// `[batch, pos, dModel]` ⇄ `[batch, pos, head, headDim]` (TransformerLens' per-head layout).
    private func asHeads(_ x: Tensor, merge: Bool = false) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        return reshape(x, merge ? [b, t, config.embeddingSize] : [b, t, config.headCount, config.headSize])
    }

    /// The fused projection split into q, k and v `[batch, pos, head, headDim]`, each through its
    /// hook, and fused again (only when one of the three is hooked).
    private func throughHeadHooks(_ qkv: Tensor, layer l: Int, hooks: Hooks?) -> Tensor {
        let (b, t, d) = (qkv.shape[0], qkv.shape[1], config.embeddingSize)
        let rows = reshape(qkv, [b * t, 3, d])   // q, k, v side by side on axis 1
        let parts = zip(0..<3, [HookPoint.BlockHook.q, .k, .v]).map { index, hook in
            let part = reshape(sliceSequence(rows, index..<(index + 1)), [b, t, config.headCount, config.headSize])
            return reshape(hooks.apply(.block(l, hook), part), [b * t, 1, d])
        }
        return reshape(concatSequence(parts), [b, t, 3 * d])
    }

    /// A block's projection, through its LoRA adapter when it has one.
    func project(_ x: Tensor, _ key: LoRAAdapters.Key, weight: Tensor, bias: Tensor, _ training: Bool, _ rng: inout RNG) -> Tensor {
        guard let adapters else { return linear(x, weight: weight, bias: bias) }
        return adapters.project(x, projection: key, weight: weight, bias: bias, training: training, rng: &rng)
    }

    /// Next-token logits `[batch, pos, vocab]` from hidden states, through the tied head `wte`.
    public func logits(fromHidden hidden: Tensor) -> Tensor {
        matmul(hidden, wte, transposeB: true)
    }

    /// Logits `[batch, pos, vocab]` for a batch (inference mode, no dropout).
    public func logits(_ batch: TokenBatch) throws -> Tensor {
        var rng = RNG(seed: 0)   // unused: no dropout in inference
        return logits(fromHidden: try hiddenStates(batch, rng: &rng))
    }

    /// Mean next-token cross-entropy over real tokens (the causal-LM loss of Hugging Face with
    /// `labels = input_ids`, padding labelled −100).
    public func languageModelLoss(_ batch: TokenBatch, training: Bool = false, rng: inout RNG) throws -> Tensor {
        let hidden = try hiddenStates(batch, training: training, rng: &rng)   // [batch, pos, dModel]
        // The tied head and the loss fused: the [batch, pos, vocab] logits are never stored.
        return projectedCrossEntropy(hidden, weight: wte, targets: batch.nextTokenTargets)
    }

    /// Runs the model and returns the logits with every hook point that passes `points`
    /// (TransformerLens' `run_with_cache`), with `edits` applied as it goes (`run_with_hooks`).
    public func runWithCache(_ batch: TokenBatch, points: @escaping (HookPoint) -> Bool = { _ in true },
                             edits: [HookPoint: (Tensor) -> Tensor] = [:]) throws -> (logits: Tensor, cache: ActivationCache) {
        let cache = ActivationCache(filter: points)
        let hooks = try Hooks(cache: cache, edits: edits)
        let logits: Tensor = try GradMode.withNoGrad {
            var rng = RNG(seed: 0)   // unused: no dropout in inference
            return self.logits(fromHidden: try hiddenStates(batch, rng: &rng, hooks: hooks))
        }
        return (logits, cache)
    }

    private func checkInput(_ batch: TokenBatch) throws {
        guard batch.length >= 1 && batch.batchSize >= 1 else { throw GPT2Error("input: empty batch") }
        guard batch.length <= config.contextLength else {
            throw GPT2Error("input: \(batch.length) tokens exceed the model's context of \(config.contextLength)")
        }
        if let bad = batch.ids.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw GPT2Error("input: token id \(bad) is outside the vocabulary 0..<\(config.vocabSize)")
        }
        guard batch.lengths.allSatisfy({ $0 >= 1 && $0 <= batch.length }) else {
            throw GPT2Error("input: row lengths \(batch.lengths) must be in 1…\(batch.length)")
        }
    }
}

extension GPT2Model {
    /// An independent copy (weights copied, history kept): what an attack or a procedure trains
    /// when the session's model must stay as it is.
    public func copy() -> GPT2Model {
        let tensors = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor.detach()) })
        let twin = GPT2Model(config: config, tensors: tensors)
        twin.history = history
        twin.interventions = interventions   // an attack on an ablated model attacks the ablated model
        return twin
    }

    /// A cheap fingerprint of the current weights (a sparse sample of every tensor), used to key
    /// caches of features computed from a model state. Any training step changes it.
    public var weightFingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in parameters {
            let data = p.tensor.data
            let stride = max(1, data.count / 64)
            for i in Swift.stride(from: 0, to: data.count, by: stride) {
                hash = (hash ^ UInt64(data[i].bitPattern)) &* 0x100_0000_01b3
            }
        }
        return hash
    }
}
