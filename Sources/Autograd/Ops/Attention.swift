// Attention.swift — fused causal self-attention with a padding mask (llm.c attention_forward/backward).
import Foundation

/// Multi-head causal self-attention from the fused projection `qkv` `[batch, pos, 3·dModel]`
/// (q, k, v in that order, as GPT-2's `c_attn` produces them) → `[batch, pos, dModel]`.
///
/// Internally heads are laid out `[batch, head, pos, headDim]`; every (batch, head) pair is one
/// independent problem, run in parallel. `lengths[b]` is the number of real tokens of row `b` in a
/// right-padded batch: keys at or past it are masked, as Hugging Face's `attention_mask` does.
/// Query `t` sees keys `0…min(t, length−1)`, so padded queries still get a defined output.
/// `scores`, when given, receives the scaled scores before the softmax `[batch, head, qPos, kPos]`
/// (masked keys at −∞, as TransformerLens' `hook_attn_scores`); `pattern` the probabilities.
public func causalSelfAttention(_ qkv: Tensor, heads: Int, lengths: [Int]? = nil,
                                scores: ((Tensor) -> Void)? = nil, pattern: ((Tensor) -> Void)? = nil) -> Tensor {
    precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0, "attention: expected [batch, pos, 3·dModel], got \(qkv.shape)")
    let (batch, length, width) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
    precondition(heads > 0 && width % heads == 0, "attention: dModel \(width) is not divisible by \(heads) heads")
    let headDim = width / heads
    let lengths = lengths ?? Array(repeating: length, count: batch)
    precondition(lengths.count == batch && lengths.allSatisfy({ $0 >= 1 && $0 <= length }),
                 "attention: lengths \(lengths) must be \(batch) values in 1…\(length)")
    let scaleFactor = 1 / Float(headDim).squareRoot()
    let headSize = length * headDim, patternSize = length * length

    // q, k, v as [batch, head, pos, headDim]; probabilities [batch, head, qPos, kPos].
    var q = [Float](repeating: 0, count: batch * heads * headSize)
    var k = q, v = q
    var probs = [Float](repeating: 0, count: batch * heads * patternSize)
    var rawScores = [Float](repeating: 0, count: scores == nil ? 0 : probs.count)
    var out = [Float](repeating: 0, count: batch * length * width)

    qkv.data.withUnsafeBufferPointer { src in
        for b in 0..<batch { for t in 0..<length { for h in 0..<heads {
            let from = (b * length + t) * 3 * width + h * headDim
            let to = ((b * heads + h) * length + t) * headDim
            for d in 0..<headDim {
                q[to + d] = src[from + d]
                k[to + d] = src[from + width + d]
                v[to + d] = src[from + 2 * width + d]
            }
        } } }
    }

    q.withUnsafeBufferPointer { qp in k.withUnsafeBufferPointer { kp in v.withUnsafeBufferPointer { vp in
    probs.withUnsafeMutableBufferPointer { pp in out.withUnsafeMutableBufferPointer { op in rawScores.withUnsafeMutableBufferPointer { sp in
        let (qBase, kBase, vBase) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!)
        let (pBase, oBase) = (SendablePointer(pp.baseAddress!), SendablePointer(op.baseAddress!))
        let sBase = scores == nil ? nil : sp.baseAddress.map(SendablePointer.init)   // an empty array may still have an address
        Threads.withSingleThreadedBLAS {
            parallelFor(batch * heads) { bh in
                let b = bh / heads, h = bh % heads
                let p = pBase.base + bh * patternSize
                // scores[qPos, kPos] = q·kᵀ / √headDim
                gemm(transB: true, m: length, n: length, k: headDim, alpha: scaleFactor,
                     a: qBase + bh * headSize, b: kBase + bh * headSize, c: p)
                for t in 0..<length {
                    let visible = min(t, lengths[b] - 1) + 1   // keys 0..<visible
                    if let sBase { recordScores(p + t * length, into: sBase.base + bh * patternSize + t * length, visible: visible, total: length) }
                    maskedSoftmaxRow(p + t * length, visible: visible, total: length)
                }
                // out[b, t, h·headDim + d] = Σ_j p[t, j] · v[j, d], written straight into [batch, pos, dModel].
                gemm(m: length, n: headDim, k: length, a: p, b: vBase + bh * headSize,
                     c: oBase.base + b * length * width + h * headDim, ldc: width)
            }
        }
    } } } } } }

    if let scores { scores(Tensor(shape: [batch, heads, length, length], data: rawScores)) }
    if let pattern { pattern(Tensor(shape: [batch, heads, length, length], data: probs)) }

    return Tensor.result(shape: [batch, length, width], data: out, op: "causalSelfAttention", inputs: [qkv]) { y in
        guard let g = y.grad else { return }
        var dq = [Float](repeating: 0, count: q.count)
        var dk = dq, dv = dq
        g.withUnsafeBufferPointer { gp in q.withUnsafeBufferPointer { qp in k.withUnsafeBufferPointer { kp in
        v.withUnsafeBufferPointer { vp in probs.withUnsafeBufferPointer { pp in
        dq.withUnsafeMutableBufferPointer { dqp in dk.withUnsafeMutableBufferPointer { dkp in dv.withUnsafeMutableBufferPointer { dvp in
            let (gBase, qBase, kBase, vBase, pBase) = (gp.baseAddress!, qp.baseAddress!, kp.baseAddress!, vp.baseAddress!, pp.baseAddress!)
            let (dqBase, dkBase, dvBase) = (SendablePointer(dqp.baseAddress!), SendablePointer(dkp.baseAddress!), SendablePointer(dvp.baseAddress!))
            Threads.withSingleThreadedBLAS {
                parallelFor(batch * heads) { bh in
                    let b = bh / heads, h = bh % heads
                    let p = pBase + bh * patternSize
                    let dOut = gBase + b * length * width + h * headDim   // [pos, headDim] with stride dModel
                    var dp = [Float](repeating: 0, count: patternSize)
                    dp.withUnsafeMutableBufferPointer { dpp in
                        let dpBase = dpp.baseAddress!
                        // dP = dOut · vᵀ ; dV = Pᵀ · dOut
                        gemm(transB: true, m: length, n: length, k: headDim, a: dOut, lda: width,
                             b: vBase + bh * headSize, c: dpBase)
                        gemm(transA: true, m: length, n: headDim, k: length, a: p, b: dOut, ldb: width,
                             c: dvBase.base + bh * headSize)
                        // dScores = P ⊙ (dP − Σ_j dP·P) · scale (softmax backward, masked entries have P = 0)
                        for t in 0..<length {
                            let pr = p + t * length, dr = dpBase + t * length
                            var dot: Float = 0
                            for j in 0..<length { dot += pr[j] * dr[j] }
                            for j in 0..<length { dr[j] = pr[j] * (dr[j] - dot) * scaleFactor }
                        }
                        // dQ = dScores · k ; dK = dScoresᵀ · q
                        gemm(m: length, n: headDim, k: length, a: dpBase, b: kBase + bh * headSize,
                             c: dqBase.base + bh * headSize)
                        gemm(transA: true, m: length, n: headDim, k: length, a: dpBase, b: qBase + bh * headSize,
                             c: dkBase.base + bh * headSize)
                    }
                }
            }
        } } } } } } } }
        qkv.accumulateGrad { gx in
            for b in 0..<batch { for t in 0..<length { for h in 0..<heads {
                let to = (b * length + t) * 3 * width + h * headDim
                let from = ((b * heads + h) * length + t) * headDim
                for d in 0..<headDim {
                    gx[to + d] += dq[from + d]
                    gx[to + width + d] += dk[from + d]
                    gx[to + 2 * width + d] += dv[from + d]
                }
            } } }
        }
    }
}

/// Softmax over the first `visible` entries of a row of `total` scores, in place; the rest become 0
/// (the causal and padding mask). The one masked softmax of both attention paths.
@inline(__always)
func maskedSoftmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Int, total: Int) {
    var maxValue = -Float.infinity
    for j in 0..<visible where row[j] > maxValue { maxValue = row[j] }
    var sum: Float = 0
    for j in 0..<visible { row[j] = expf(row[j] - maxValue); sum += row[j] }
    let inv = 1 / sum
    for j in 0..<visible { row[j] *= inv }
    for j in visible..<total { row[j] = 0 }
}

/// A copy of a row of scores with the masked entries at −∞.
@inline(__always)
func recordScores(_ row: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, visible: Int, total: Int) {
    out.update(from: row, count: visible)
    for j in visible..<total { out[j] = -.infinity }
}

/// Causal attention of `n` new positions over a key/value cache, for incremental decoding (no
/// gradients). `qkv` `[1, n, 3·dModel]` holds the new positions' fused projections; their keys and
/// values are appended to `keys`/`values` (`[pos, dModel]` each, `start` positions already there).
/// Returns `[1, n, dModel]`; `scores`/`pattern` receive `[1, head, n, start + n]` as in ``causalSelfAttention``.
public func cachedCausalAttention(_ qkv: Tensor, heads: Int, keys: inout [Float], values: inout [Float], start: Int,
                                  scores: ((Tensor) -> Void)? = nil, pattern: ((Tensor) -> Void)? = nil) -> Tensor {
    precondition(qkv.rank == 3 && qkv.shape[0] == 1 && qkv.shape[2] % 3 == 0, "cached attention: expected [1, n, 3·dModel], got \(qkv.shape)")
    let n = qkv.shape[1], d = qkv.shape[2] / 3
    precondition(heads > 0 && d % heads == 0 && keys.count == start * d && values.count == start * d,
                 "cached attention: \(keys.count) cached key values for \(start) positions of width \(d)")
    let hs = d / heads, total = start + n
    let scale = 1 / Float(hs).squareRoot()
    for i in 0..<n {
        let row = i * 3 * d
        keys.append(contentsOf: qkv.data[(row + d)..<(row + 2 * d)])
        values.append(contentsOf: qkv.data[(row + 2 * d)..<(row + 3 * d)])
    }
    var out = [Float](repeating: 0, count: n * d)
    var probs = [Float](repeating: 0, count: heads * n * total)   // [head, n, total]
    var rawScores = [Float](repeating: 0, count: scores == nil ? 0 : probs.count)
    qkv.data.withUnsafeBufferPointer { q in keys.withUnsafeBufferPointer { k in values.withUnsafeBufferPointer { v in
    probs.withUnsafeMutableBufferPointer { s in out.withUnsafeMutableBufferPointer { o in rawScores.withUnsafeMutableBufferPointer { r in
        for h in 0..<heads {
            let p = s.baseAddress! + h * n * total
            // scores[i, j] = q_i · k_j / √hs for query rows of stride 3·dModel and key rows of stride dModel
            gemm(transB: true, m: n, n: total, k: hs, alpha: scale,
                 a: q.baseAddress! + h * hs, lda: 3 * d, b: k.baseAddress! + h * hs, ldb: d, c: p)
            for i in 0..<n {
                if scores != nil, let raw = r.baseAddress { recordScores(p + i * total, into: raw + h * n * total + i * total, visible: start + i + 1, total: total) }
                maskedSoftmaxRow(p + i * total, visible: start + i + 1, total: total)
            }
            gemm(m: n, n: hs, k: total, a: p, b: v.baseAddress! + h * hs, ldb: d, c: o.baseAddress! + h * hs, ldc: d)
        }
    } } } } } }
    if let scores { scores(Tensor(shape: [1, heads, n, total], data: rawScores)) }
    if let pattern { pattern(Tensor(shape: [1, heads, n, total], data: probs)) }
    return Tensor(shape: [1, n, d], data: out)
}
