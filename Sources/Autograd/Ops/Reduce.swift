// Reduce.swift — sums and means (accumulated in Double, so long sums stay exact to Float precision).

/// The sum of all values → scalar.
public func sum(_ x: Tensor) -> Tensor {
    var total = 0.0
    for v in x.data { total += Double(v) }
    return Tensor.result(shape: [], data: [Float(total)], op: "sum", inputs: [x]) { y in
        guard let g = y.grad?.first else { return }
        x.accumulateGrad { gx in for i in 0..<gx.count { gx[i] += g } }
    }
}

/// The mean of all values → scalar.
public func mean(_ x: Tensor) -> Tensor {
    precondition(x.count > 0, "mean: empty tensor")
    return scale(sum(x), 1 / Float(x.count))
}

/// The mean over the last axis: `[..., n] → [...]`.
public func meanLastAxis(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 1 && x.shape[x.rank - 1] > 0, "meanLastAxis: need a non-empty last axis, got \(x.shape)")
    let n = x.shape[x.rank - 1], rows = x.count / n
    var out = [Float](repeating: 0, count: rows)
    for r in 0..<rows {
        var s = 0.0
        for j in 0..<n { s += Double(x.data[r * n + j]) }
        out[r] = Float(s / Double(n))
    }
    return Tensor.result(shape: Array(x.shape.dropLast()), data: out, op: "meanLastAxis", inputs: [x]) { y in
        guard let g = y.grad else { return }
        let inv = 1 / Float(n)
        x.accumulateGrad { gx in
            for r in 0..<rows { for j in 0..<n { gx[r * n + j] += g[r] * inv } }
        }
    }
}
