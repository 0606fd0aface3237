// Matmul.swift — matrix products and the linear layer, all through `gemm`.

/// `op(a) · op(b)` for matrices, or a batch of them when both are rank 3 (`[batch, m, k]·[batch, k, n]`).
/// A rank-3+ `a` times a matrix `b` multiplies every row of `a` (`[..., k]·[k, n] → [..., n]`).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    if a.rank == 3 && b.rank == 3 {
        return batchedMatmul(a, b, transposeA: transposeA, transposeB: transposeB)
    }
    precondition(b.rank == 2, "matmul: right operand must be a matrix, got \(b.shape)")
    precondition(a.rank >= 2, "matmul: left operand must have rank ≥ 2, got \(a.shape)")
    precondition(!(transposeA && a.rank > 2), "matmul: transposeA needs a matrix, got \(a.shape)")
    let rows = a.rank == 2 ? a.shape[transposeA ? 1 : 0] : a.count / a.shape[a.rank - 1]
    let k = transposeA ? a.shape[0] : a.shape[a.rank - 1]
    let kB = transposeB ? b.shape[1] : b.shape[0]
    let n = transposeB ? b.shape[0] : b.shape[1]
    precondition(k == kB, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
    var out = [Float](repeating: 0, count: rows * n)
    a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
        gemm(transA: transposeA, transB: transposeB, m: rows, n: n, k: k,
             a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!)
    } } }
    let outShape = a.rank == 2 ? [rows, n] : Array(a.shape.dropLast()) + [n]
    return Tensor.result(shape: outShape, data: out, op: "matmul", inputs: [a, b]) { y in
        guard let g = y.grad else { return }
        g.withUnsafeBufferPointer { gp in
            accumulateProductGradients(a, b, grad: gp, batch: 1, m: rows, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        }
    }
}

/// `[batch, m, k] · [batch, k, n] → [batch, m, n]` (with optional transposes of each matrix).
private func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    let batch = a.shape[0]
    precondition(b.shape[0] == batch, "matmul: batch sizes differ: \(a.shape) · \(b.shape)")
    let m = transposeA ? a.shape[2] : a.shape[1], k = transposeA ? a.shape[1] : a.shape[2]
    let kB = transposeB ? b.shape[2] : b.shape[1], n = transposeB ? b.shape[1] : b.shape[2]
    precondition(k == kB, "matmul: inner dimensions differ: \(a.shape) · \(b.shape)")
    let aStride = m * k, bStride = k * n, cStride = m * n
    var out = [Float](repeating: 0, count: batch * cStride)
    a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { cp in
        for i in 0..<batch {
            gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                 a: ap.baseAddress! + i * aStride, b: bp.baseAddress! + i * bStride, c: cp.baseAddress! + i * cStride)
        }
    } } }
    return Tensor.result(shape: [batch, m, n], data: out, op: "bmm", inputs: [a, b]) { y in
        guard let g = y.grad else { return }
        g.withUnsafeBufferPointer { gp in
            accumulateProductGradients(a, b, grad: gp, batch: batch, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        }
    }
}

/// The backward of C = op(A)·op(B) for `batch` matrices stored one after another (`[m, k]`, `[k, n]`,
/// `[m, n]` each, or their transposes): dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC, written back
/// through the transposes and added to each operand's gradient.
private func accumulateProductGradients(_ a: Tensor, _ b: Tensor, grad gp: UnsafeBufferPointer<Float>, batch: Int, m: Int, n: Int, k: Int,
                                        transposeA: Bool, transposeB: Bool) {
    let aStride = m * k, bStride = k * n, cStride = m * n
    if a.requiresGrad {
        b.data.withUnsafeBufferPointer { bp in a.accumulateGrad { ga in
            for i in 0..<batch {
                let gi = gp.baseAddress! + i * cStride, bi = bp.baseAddress! + i * bStride, ai = ga.baseAddress! + i * aStride
                if transposeA {   // dA[k, m] = op(B)·dCᵀ
                    gemm(transA: transposeB, transB: true, m: k, n: m, k: n, a: bi, b: gi, beta: 1, c: ai)
                } else {          // dA[m, k] = dC·op(B)ᵀ
                    gemm(transA: false, transB: !transposeB, m: m, n: k, k: n, a: gi, b: bi, beta: 1, c: ai)
                }
            }
        } }
    }
    if b.requiresGrad {
        a.data.withUnsafeBufferPointer { ap in b.accumulateGrad { gb in
            for i in 0..<batch {
                let gi = gp.baseAddress! + i * cStride, ai = ap.baseAddress! + i * aStride, bi = gb.baseAddress! + i * bStride
                if transposeB {   // dB[n, k] = dCᵀ·op(A)
                    gemm(transA: true, transB: transposeA, m: n, n: k, k: m, a: gi, b: ai, beta: 1, c: bi)
                } else {          // dB[k, n] = op(A)ᵀ·dC
                    gemm(transA: !transposeA, transB: false, m: k, n: n, k: m, a: ai, b: gi, beta: 1, c: bi)
                }
            }
        } }
    }
}

/// GPT-2's `Conv1D`: `x · W + b` with `W` stored `[in, out]` (as Hugging Face and TF store it).
/// `x` is `[..., in]`; the result is `[..., out]`. One fused node: bias broadcast and product.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(weight.rank == 2, "linear: weight must be [in, out], got \(weight.shape)")
    let inFeatures = weight.shape[0], outFeatures = weight.shape[1]
    precondition(x.shape.last == inFeatures, "linear: input \(x.shape) does not end in \(inFeatures)")
    if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape), expected [\(outFeatures)]") }
    let rows = x.count / inFeatures
    var out = [Float](repeating: 0, count: rows * outFeatures)
    out.withUnsafeMutableBufferPointer { op in
        if let bias {
            bias.data.withUnsafeBufferPointer { bp in
                for r in 0..<rows { (op.baseAddress! + r * outFeatures).update(from: bp.baseAddress!, count: outFeatures) }
            }
        }
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
            gemm(m: rows, n: outFeatures, k: inFeatures, a: xp.baseAddress!, b: wp.baseAddress!,
                 beta: bias == nil ? 0 : 1, c: op.baseAddress!)
        } }
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(shape: Array(x.shape.dropLast()) + [outFeatures], data: out, op: "linear", inputs: inputs) { y in
        guard let g = y.grad else { return }
        g.withUnsafeBufferPointer { gp in
            if x.requiresGrad {   // dx[rows, in] = dy · Wᵀ
                weight.data.withUnsafeBufferPointer { wp in x.accumulateGrad { gx in
                    gemm(transB: true, m: rows, n: inFeatures, k: outFeatures,
                         a: gp.baseAddress!, b: wp.baseAddress!, beta: 1, c: gx.baseAddress!)
                } }
            }
            if weight.requiresGrad {   // dW[in, out] = xᵀ · dy
                x.data.withUnsafeBufferPointer { xp in weight.accumulateGrad { gw in
                    gemm(transA: true, m: inFeatures, n: outFeatures, k: rows,
                         a: xp.baseAddress!, b: gp.baseAddress!, beta: 1, c: gw.baseAddress!)
                } }
            }
            if let bias, bias.requiresGrad {   // db[out] = Σ_rows dy
                bias.accumulateGrad { gb in
                    for r in 0..<rows {
                        let row = gp.baseAddress! + r * outFeatures
                        for j in 0..<outFeatures { gb[j] += row[j] }
                    }
                }
            }
        }
    }
}
