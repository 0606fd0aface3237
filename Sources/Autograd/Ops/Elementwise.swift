// Elementwise.swift — add, multiply, scale, GELU, dropout: each forward with its backward.
import Foundation

/// Checks that `b` broadcasts onto `a`: same shape, or `b`'s shape is a suffix of `a`'s
/// (a bias `[n]` onto activations `[batch, pos, n]`).
@inline(__always)
private func checkBroadcast(_ a: Tensor, _ b: Tensor, _ op: String) {
    precondition(b.rank <= a.rank && Array(a.shape.suffix(b.rank)) == b.shape,
                 "\(op): shape \(b.shape) does not broadcast onto \(a.shape)")
}

/// Visits every element of `a` (`n` of them) with the index of the `b` element (`inner` of them)
/// broadcast onto it: `body(i, j)` with `j = i mod inner`, in order.
@inline(__always)
private func forEachBroadcast(_ n: Int, _ inner: Int, _ body: (Int, Int) -> Void) {
    var i = 0
    while i < n {
        for j in 0..<inner { body(i + j, j) }
        i += inner
    }
}

/// `a + b`, with `b` broadcast along `a`'s leading dimensions.
public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    checkBroadcast(a, b, "add")
    let n = a.count, inner = b.count
    var out = a.data
    b.data.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in forEachBroadcast(n, inner) { op[$0] += bp[$1] } } }
    return Tensor.result(shape: a.shape, data: out, op: "add", inputs: [a, b]) { y in
        guard let g = y.grad else { return }
        if a.requiresGrad { a.accumulateGrad { ga in for i in 0..<n { ga[i] += g[i] } } }
        if b.requiresGrad { b.accumulateGrad { gb in forEachBroadcast(n, inner) { gb[$1] += g[$0] } } }
    }
}

/// `a − b` (same shapes, or `b` broadcast).
public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { add(a, scale(b, -1)) }

/// `a ⊙ b`, with `b` broadcast along `a`'s leading dimensions.
public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
    checkBroadcast(a, b, "mul")
    let n = a.count, inner = b.count
    var out = a.data
    b.data.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in forEachBroadcast(n, inner) { op[$0] *= bp[$1] } } }
    return Tensor.result(shape: a.shape, data: out, op: "mul", inputs: [a, b]) { y in
        guard let g = y.grad else { return }
        if a.requiresGrad { a.accumulateGrad { ga in forEachBroadcast(n, inner) { ga[$0] += g[$0] * b.data[$1] } } }
        if b.requiresGrad { b.accumulateGrad { gb in forEachBroadcast(n, inner) { gb[$1] += g[$0] * a.data[$0] } } }
    }
}

/// `s · a`.
public func scale(_ a: Tensor, _ s: Float) -> Tensor {
    let out = a.data.map { $0 * s }
    return Tensor.result(shape: a.shape, data: out, op: "scale", inputs: [a]) { y in
        guard let g = y.grad else { return }
        a.accumulateGrad { ga in for i in 0..<ga.count { ga[i] += s * g[i] } }
    }
}

// MARK: - GELU (tanh approximation, GPT-2's `gelu_new`)

private let geluScale = Float((2.0 / Double.pi).squareRoot())

/// `√(2/π)·(x + 0.044715·x³)`, the argument of GELU's tanh.
@inline(__always)
private func geluInner(_ v: SIMD8<Float>) -> SIMD8<Float> {
    let cube: SIMD8<Float> = 0.044715 * v * v * v
    return geluScale * (v + cube)
}

/// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, as GPT-2 uses.
public func gelu(_ x: Tensor) -> Tensor {
    let n = x.count
    var out = [Float](repeating: 0, count: n)
    x.data.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { op in
            let src = xp.baseAddress!, dst = SendablePointer(op.baseAddress!)
            parallelChunks(n) { range in
                let (from, length) = (src + range.lowerBound, range.count)
                forEachVector(count: length, output: dst.base + range.lowerBound) { i in
                    let v = loadVector(from, i, count: length)
                    return 0.5 * v * (1 + vectorTanh(geluInner(v)))
                }
            }
        }
    }
    return Tensor.result(shape: x.shape, data: out, op: "gelu", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in
            x.data.withUnsafeBufferPointer { xp in
                let src = xp.baseAddress!, dst = SendablePointer(gx.baseAddress!)
                g.withUnsafeBufferPointer { gp in
                    let upstream = gp.baseAddress!
                    parallelChunks(n) { range in
                        let (from, up, length) = (src + range.lowerBound, upstream + range.lowerBound, range.count)
                        forEachVector(count: length, output: dst.base + range.lowerBound) { i in
                            let v = loadVector(from, i, count: length)
                            let t = vectorTanh(geluInner(v))
                            let dInner: SIMD8<Float> = geluScale * (1 + 3 * 0.044715 * v * v)   // d(inner)/dv
                            let local: SIMD8<Float> = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner
                            let previous = loadVector(dst.base + range.lowerBound, i, count: length)
                            return previous + local * loadVector(up, i, count: length)
                        }
                    }
                }
            }
        }
    }
}

/// Element-wise `tanh`.
public func tanh(_ x: Tensor) -> Tensor {
    let out = x.data.map { tanhf($0) }
    return Tensor.result(shape: x.shape, data: out, op: "tanh", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in for i in 0..<gx.count { gx[i] += (1 - y.data[i] * y.data[i]) * g[i] } }
    }
}

// MARK: - Dropout

/// Inverted dropout: zeroes each value with probability `p` and scales the rest by `1/(1−p)`.
/// The identity when `p == 0` or when not training. The mask comes from `rng`, so runs repeat.
public func dropout(_ x: Tensor, p: Float, training: Bool, rng: inout RNG) -> Tensor {
    guard training && p > 0 else { return x }
    precondition(p < 1, "dropout: p must be below 1, got \(p)")
    let keepScale = 1 / (1 - p)
    var mask = [Float](repeating: 0, count: x.count)
    for i in 0..<mask.count where rng.nextFloat() >= p { mask[i] = keepScale }
    var out = x.data
    for i in 0..<out.count { out[i] *= mask[i] }
    return Tensor.result(shape: x.shape, data: out, op: "dropout", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in for i in 0..<gx.count { gx[i] += mask[i] * g[i] } }
    }
}
