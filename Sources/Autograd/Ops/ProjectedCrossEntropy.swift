// ProjectedCrossEntropy.swift — the LM head and its cross-entropy fused, in row chunks.
//
// For GPT-2 the head `hidden · wteᵀ` over 50,257 tokens is most of a training step, and the full
// `[rows, vocab]` logits (plus their gradient) would be hundreds of MB per batch. This op never
// materialises them: each chunk of rows gets its logits, softmax and loss, and — when gradients
// are wanted — its contributions to `dHidden` and `dWeight` right away (for an upstream gradient of
// 1; the backward only rescales them by the real upstream gradient).
import Foundation

/// `crossEntropy(hidden · weightᵀ, targets)` for `hidden` `[..., dModel]` and `weight` `[vocab, dModel]`,
/// the mean over targets that are not ``ignoreIndex``.
public func projectedCrossEntropy(_ hidden: Tensor, weight: Tensor, targets: [Int32], chunkRows: Int = 256) -> Tensor {
    let width = hidden.shape.last ?? 0
    precondition(weight.rank == 2 && weight.shape[1] == width, "projectedCrossEntropy: weight \(weight.shape) does not match hidden \(hidden.shape)")
    let vocab = weight.shape[0], rows = hidden.count / max(1, width)
    precondition(targets.count == rows, "projectedCrossEntropy: \(targets.count) targets for \(rows) rows")
    for t in targets where t != ignoreIndex {
        precondition(t >= 0 && Int(t) < vocab, "projectedCrossEntropy: target \(t) outside 0..<\(vocab)")
    }
    let counted = targets.filter { $0 != ignoreIndex }.count
    let wantsGrad = GradMode.isEnabled && (hidden.requiresGrad || weight.requiresGrad)
    var dHidden = wantsGrad && hidden.requiresGrad ? [Float](repeating: 0, count: hidden.count) : []
    var dWeight = wantsGrad && weight.requiresGrad ? [Float](repeating: 0, count: weight.count) : []
    var total = 0.0
    let chunk = max(1, chunkRows)
    var buffer = [Float](repeating: 0, count: min(chunk, rows) * vocab)   // [chunkRows, vocab]

    hidden.data.withUnsafeBufferPointer { hp in weight.data.withUnsafeBufferPointer { wp in
    buffer.withUnsafeMutableBufferPointer { bp in dHidden.withUnsafeMutableBufferPointer { dhp in dWeight.withUnsafeMutableBufferPointer { dwp in
        let scale = counted == 0 ? Float(0) : 1 / Float(counted)
        var rowLoss = [Double](repeating: 0, count: chunk)
        for first in stride(from: 0, to: rows, by: chunk) {
            let n = min(chunk, rows - first)
            let h = hp.baseAddress! + first * width
            // logits[n, vocab] = h · wᵀ
            gemm(transB: true, m: n, n: vocab, k: width, a: h, b: wp.baseAddress!, c: bp.baseAddress!)
            let logits = SendablePointer(bp.baseAddress!)
            rowLoss.withUnsafeMutableBufferPointer { lossPointer in
                let losses = SendablePointer(lossPointer.baseAddress!)
                parallelChunks(n, minimumPerThread: 4) { range in
                    for r in range {
                        let target = targets[first + r]
                        let row = logits.base + r * vocab
                        if target == ignoreIndex {
                            losses.base[r] = 0
                            if wantsGrad { for j in 0..<vocab { row[j] = 0 } }   // contributes no gradient
                            continue
                        }
                        var maxValue = -Float.infinity
                        for j in 0..<vocab where row[j] > maxValue { maxValue = row[j] }
                        let targetLogit = row[Int(target)]
                        var sum: Float = 0
                        for j in 0..<vocab { let e = expf(row[j] - maxValue); row[j] = e; sum += e }
                        losses.base[r] = Double(maxValue + logf(sum) - targetLogit)
                        if wantsGrad {   // row becomes dLogits = (softmax − onehot) / counted
                            let inv = scale / sum
                            for j in 0..<vocab { row[j] *= inv }
                            row[Int(target)] -= scale
                        }
                    }
                }
            }
            for r in 0..<n { total += rowLoss[r] }
            guard wantsGrad else { continue }
            if !dhp.isEmpty {   // dHidden[n, width] = dLogits · w
                gemm(m: n, n: width, k: vocab, a: bp.baseAddress!, b: wp.baseAddress!, c: dhp.baseAddress! + first * width)
            }
            if !dwp.isEmpty {   // dWeight[vocab, width] += dLogitsᵀ · h
                gemm(transA: true, m: vocab, n: width, k: n, a: bp.baseAddress!, b: h, beta: 1, c: dwp.baseAddress!)
            }
        }
    } } } } }

    let value = counted == 0 ? Float(0) : Float(total / Double(counted))
    return Tensor.result(shape: [], data: [value], op: "projectedCrossEntropy", inputs: [hidden, weight]) { y in
        guard let g = y.grad?.first else { return }
        if hidden.requiresGrad && !dHidden.isEmpty {
            hidden.accumulateGrad { gh in for i in 0..<gh.count { gh[i] += g * dHidden[i] } }
        }
        if weight.requiresGrad && !dWeight.isEmpty {
            weight.accumulateGrad { gw in
                dWeight.withUnsafeBufferPointer { src in
                    let (s, d) = (src.baseAddress!, SendablePointer(gw.baseAddress!))
                    parallelChunks(gw.count) { range in for i in range { d.base[i] += g * s[i] } }
                }
            }
        }
    }
}
