// Softmax.swift — softmax and log-softmax over the last axis, numerically stable.
import Foundation

/// Stable log-sum-exp of `n` values at `p`.
@inline(__always)
func logSumExp(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var maxValue = -Float.infinity
    for i in 0..<n where p[i] > maxValue { maxValue = p[i] }
    if maxValue == -.infinity { return -.infinity }
    var s: Float = 0
    for i in 0..<n { s += expf(p[i] - maxValue) }
    return maxValue + logf(s)
}

/// Log-softmax of one row of `n` logits into `target`, outside any graph: for measurements that
/// score many rows (the same arithmetic as ``logSoftmax(_:)``).
public func logSoftmaxRow(_ source: UnsafePointer<Float>, _ n: Int, into target: UnsafeMutablePointer<Float>) {
    let lse = logSumExp(source, n)
    for i in 0..<n { target[i] = source[i] - lse }
}

/// The forward pass both share: each row of the last axis mapped entry by entry through
/// `entry(value, logSumExp(row))`. Returns the row length, the row count and the result.
@inline(__always)
private func rowsWithLogSumExp(_ x: Tensor, _ entry: (Float, Float) -> Float) -> (n: Int, rows: Int, out: [Float]) {
    let n = x.shape.last ?? 1, rows = x.count / max(1, n)
    var out = [Float](repeating: 0, count: x.count)
    x.data.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
        for r in 0..<rows {
            let lse = logSumExp(xp.baseAddress! + r * n, n)
            for i in 0..<n { op[r * n + i] = entry(xp[r * n + i], lse) }
        }
    } }
    return (n, rows, out)
}

/// Softmax over the last axis.
public func softmax(_ x: Tensor) -> Tensor {
    let (n, rows, out) = rowsWithLogSumExp(x) { value, lse in expf(value - lse) }
    return Tensor.result(shape: x.shape, data: out, op: "softmax", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in
            for r in 0..<rows {   // dx = y ⊙ (dy − Σ dy·y)
                var dot: Float = 0
                for i in 0..<n { dot += g[r * n + i] * y.data[r * n + i] }
                for i in 0..<n { gx[r * n + i] += y.data[r * n + i] * (g[r * n + i] - dot) }
            }
        }
    }
}

/// Log-softmax over the last axis.
public func logSoftmax(_ x: Tensor) -> Tensor {
    let (n, rows, out) = rowsWithLogSumExp(x) { value, lse in value - lse }
    return Tensor.result(shape: x.shape, data: out, op: "logSoftmax", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in
            for r in 0..<rows {   // dx = dy − softmax · Σ dy
                var total: Float = 0
                for i in 0..<n { total += g[r * n + i] }
                for i in 0..<n { gx[r * n + i] += g[r * n + i] - expf(y.data[r * n + i]) * total }
            }
        }
    }
}
