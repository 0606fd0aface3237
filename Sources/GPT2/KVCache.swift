// KVCache.swift — incremental decoding for one sequence: keys and values of past positions are kept,
// so each new token runs the blocks on one position only.
import Autograd
import Foundation

public struct KVCache {
    let model: GPT2Model
    private(set) var length = 0
    private var keys: [[Float]]     // per layer: [pos, dModel]
    private var values: [[Float]]   // per layer: [pos, dModel]

    public init(model: GPT2Model) {
        self.model = model
        keys = Array(repeating: [], count: model.config.layerCount)
        values = keys
    }

    /// Runs `tokens` (appended after the cached positions) and returns the next-token logits `[vocab]`
    /// after the last of them.
    public mutating func append(_ tokens: [Int32]) throws -> [Float] {
        let c = model.config
        let n = tokens.count, start = length, d = c.embeddingSize
        guard start + n <= c.contextLength else {
            throw GPT2Error("generate: \(start + n) tokens exceed the model's context of \(c.contextLength)")
        }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
            throw GPT2Error("generate: token id \(bad) outside the vocabulary 0..<\(c.vocabSize)")
        }
        let tok = embedding(model.wte, ids: tokens, shape: [1, n])                                   // [1, n, dModel]
        let pos = embedding(model.wpe, ids: (start..<(start + n)).map { Int32($0) }, shape: [n])     // [n, dModel]
        var x = add(tok, pos)
        var rng = RNG(seed: 0)   // inference: adapters' dropout is off and never draws
        for (l, block) in model.blocks.enumerated() {
            let qkv = model.project(layerNorm(x, weight: block.ln1Weight, bias: block.ln1Bias, epsilon: c.layerNormEpsilon),
                                    "h.\(l).attn.c_attn", weight: block.attnWeight, bias: block.attnBias, false, &rng)  // [1, n, 3·dModel]
            for i in 0..<n {
                let row: Int = i * 3 * d
                keys[l].append(contentsOf: qkv.data[(row + d)..<(row + 2 * d)])
                values[l].append(contentsOf: qkv.data[(row + 2 * d)..<(row + 3 * d)])
            }
            let attended = attend(qkv: qkv.data, count: n, start: start, layer: l)
            let attnOut = model.project(Tensor(shape: [1, n, d], data: attended), "h.\(l).attn.c_proj",
                                        weight: block.attnProjWeight, bias: block.attnProjBias, false, &rng)
            x = add(x, attnOut)
            let hidden = gelu(model.project(layerNorm(x, weight: block.ln2Weight, bias: block.ln2Bias, epsilon: c.layerNormEpsilon),
                                            "h.\(l).mlp.c_fc", weight: block.fcWeight, bias: block.fcBias, false, &rng))
            x = add(x, model.project(hidden, "h.\(l).mlp.c_proj", weight: block.mlpProjWeight, bias: block.mlpProjBias, false, &rng))
        }
        length += n
        let last = sliceSequence(x, (n - 1)..<n)                                                     // [1, 1, dModel]
        let normalized = layerNorm(last, weight: model.lnFWeight, bias: model.lnFBias, epsilon: c.layerNormEpsilon)
        return model.logits(fromHidden: normalized).data                                            // [vocab]
    }

    /// Causal attention of the `count` new queries over all cached keys → `[count, dModel]`.
    private func attend(qkv: [Float], count n: Int, start: Int, layer l: Int) -> [Float] {
        let c = model.config
        let d = c.embeddingSize, hs = c.headSize, total = start + n
        let scale = 1 / Float(hs).squareRoot()
        var out = [Float](repeating: 0, count: n * d)
        var scores = [Float](repeating: 0, count: n * total)
        qkv.withUnsafeBufferPointer { q in keys[l].withUnsafeBufferPointer { k in values[l].withUnsafeBufferPointer { v in
        scores.withUnsafeMutableBufferPointer { s in out.withUnsafeMutableBufferPointer { o in
            for h in 0..<c.headCount {
                // scores[i, j] = q_i · k_j / √hs for query rows of stride 3·dModel and key rows of stride dModel
                gemm(transB: true, m: n, n: total, k: hs, alpha: scale,
                     a: q.baseAddress! + h * hs, lda: 3 * d, b: k.baseAddress! + h * hs, ldb: d, c: s.baseAddress!)
                for i in 0..<n {
                    let row = s.baseAddress! + i * total, visible = start + i
                    var m = -Float.infinity
                    for j in 0...visible where row[j] > m { m = row[j] }
                    var sum: Float = 0
                    for j in 0...visible { row[j] = expf(row[j] - m); sum += row[j] }
                    for j in 0...visible { row[j] /= sum }
                    for j in (visible + 1)..<total { row[j] = 0 }
                }
                gemm(m: n, n: hs, k: total, a: s.baseAddress!, b: v.baseAddress! + h * hs, ldb: d,
                     c: o.baseAddress! + h * hs, ldc: d)
            }
        } } } } }
        return out
    }
}
