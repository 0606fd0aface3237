// LayerNorm.swift — layer normalisation over the last axis, fused (llm.c layernorm_forward/backward).
import Foundation

/// `(x − mean) · rstd · weight + bias` over the last axis of `x` `[..., C]`.
/// The forward saves each row's mean and reciprocal standard deviation for the backward.
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) -> Tensor {
    let channels = x.shape.last ?? 0
    precondition(weight.shape == [channels] && bias.shape == [channels],
                 "layerNorm: weight \(weight.shape) / bias \(bias.shape) do not match input \(x.shape)")
    let rows = x.count / max(1, channels)
    var out = [Float](repeating: 0, count: x.count)
    var means = [Float](repeating: 0, count: rows)
    var rstds = [Float](repeating: 0, count: rows)
    x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in bias.data.withUnsafeBufferPointer { bp in
    out.withUnsafeMutableBufferPointer { op in means.withUnsafeMutableBufferPointer { mp in rstds.withUnsafeMutableBufferPointer { rp in
        let (src, w, b) = (xp.baseAddress!, wp.baseAddress!, bp.baseAddress!)
        let (dst, meanOut, rstdOut) = (SendablePointer(op.baseAddress!), SendablePointer(mp.baseAddress!), SendablePointer(rp.baseAddress!))
        parallelChunks(rows, minimumPerThread: 16) { range in
            for r in range {
                let row = src + r * channels, o = dst.base + r * channels
                var m: Float = 0
                for i in 0..<channels { m += row[i] }
                m /= Float(channels)
                var v: Float = 0
                for i in 0..<channels { let d = row[i] - m; v += d * d }
                let rstd = 1 / (v / Float(channels) + epsilon).squareRoot()
                for i in 0..<channels { o[i] = (row[i] - m) * rstd * w[i] + b[i] }
                meanOut.base[r] = m
                rstdOut.base[r] = rstd
            }
        }
    } } } } } }
    return Tensor.result(shape: x.shape, data: out, op: "layerNorm", inputs: [x, weight, bias]) { y in
        guard let g = y.grad else { return }
        if weight.requiresGrad || bias.requiresGrad {
            // dweight = Σ_rows dy·x̂, dbias = Σ_rows dy (serial: every row writes the same C values).
            var dw = [Float](repeating: 0, count: channels), db = [Float](repeating: 0, count: channels)
            for r in 0..<rows {
                let base = r * channels, m = means[r], rstd = rstds[r]
                for i in 0..<channels {
                    let gi = g[base + i]
                    db[i] += gi
                    dw[i] += gi * (x.data[base + i] - m) * rstd
                }
            }
            if weight.requiresGrad { weight.accumulateGrad { gw in for i in 0..<channels { gw[i] += dw[i] } } }
            if bias.requiresGrad { bias.accumulateGrad { gb in for i in 0..<channels { gb[i] += db[i] } } }
        }
        guard x.requiresGrad else { return }
        x.accumulateGrad { gx in
            x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
                let (src, w, up, dst) = (xp.baseAddress!, wp.baseAddress!, gp.baseAddress!, SendablePointer(gx.baseAddress!))
                parallelChunks(rows, minimumPerThread: 16) { range in
                    for r in range {
                        let base = r * channels, m = means[r], rstd = rstds[r]
                        // dx = rstd · (dŷ − mean(dŷ) − x̂ · mean(dŷ·x̂)), with dŷ = dy·weight.
                        var meanD: Float = 0, meanDX: Float = 0
                        for i in 0..<channels {
                            let d = up[base + i] * w[i]
                            meanD += d
                            meanDX += d * (src[base + i] - m) * rstd
                        }
                        meanD /= Float(channels)
                        meanDX /= Float(channels)
                        for i in 0..<channels {
                            let xhat = (src[base + i] - m) * rstd
                            let d = up[base + i] * w[i]
                            dst.base[base + i] += rstd * (d - meanD - xhat * meanDX)
                        }
                    }
                }
            } } }
        }
    }
}
