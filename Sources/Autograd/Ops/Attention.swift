// Attention.swift — fused causal self-attention with a padding mask (llm.c attention_forward/backward).
import Foundation

/// Multi-head causal self-attention from the fused projection `qkv` `[batch, pos, 3·dModel]`
/// (q, k, v in that order, as GPT-2's `c_attn` produces them) → `[batch, pos, dModel]`.
///
/// Internally heads are laid out `[batch, head, pos, headDim]`; every (batch, head) pair is one
/// independent problem, run in parallel. `lengths[b]` is the number of real tokens of row `b` in a
/// right-padded batch: keys at or past it are masked, as Hugging Face's `attention_mask` does.
/// Query `t` sees keys `0…min(t, length−1)`, so padded queries still get a defined output.
/// `pattern`, when given, receives the attention probabilities `[batch, head, qPos, kPos]`.
public func causalSelfAttention(_ qkv: Tensor, heads: Int, lengths: [Int]? = nil,
                                pattern: ((Tensor) -> Void)? = nil) -> Tensor {
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
    probs.withUnsafeMutableBufferPointer { pp in out.withUnsafeMutableBufferPointer { op in
        let (qBase, kBase, vBase) = (qp.baseAddress!, kp.baseAddress!, vp.baseAddress!)
        let (pBase, oBase) = (SendablePointer(pp.baseAddress!), SendablePointer(op.baseAddress!))
        Threads.withSingleThreadedBLAS {
            parallelFor(batch * heads) { bh in
                let b = bh / heads, h = bh % heads
                let p = pBase.base + bh * patternSize
                // scores[qPos, kPos] = q·kᵀ / √headDim
                gemm(transB: true, m: length, n: length, k: headDim, alpha: scaleFactor,
                     a: qBase + bh * headSize, b: kBase + bh * headSize, c: p)
                for t in 0..<length {
                    let row = p + t * length
                    let last = min(t, lengths[b] - 1)   // keys 0…last are visible
                    var maxValue = -Float.infinity
                    for j in 0...last where row[j] > maxValue { maxValue = row[j] }
                    var total: Float = 0
                    for j in 0...last { row[j] = expf(row[j] - maxValue); total += row[j] }
                    let inv = 1 / total
                    for j in 0...last { row[j] *= inv }
                    for j in (last + 1)..<length { row[j] = 0 }
                }
                // out[b, t, h·headDim + d] = Σ_j p[t, j] · v[j, d], written straight into [batch, pos, dModel].
                gemm(m: length, n: headDim, k: length, a: p, b: vBase + bh * headSize,
                     c: oBase.base + b * length * width + h * headDim, ldc: width)
            }
        }
    } } } } }

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
