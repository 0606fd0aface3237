// Loss.swift — fused losses over logits `[..., classes]`; each returns the mean over counted rows.
import Foundation

/// Targets equal to this are skipped (PyTorch's default `ignore_index`).
public let ignoreIndex: Int32 = -100

/// Cross-entropy with integer targets: `mean_r −log softmax(z_r)[y_r]` over rows whose target is
/// not ``ignoreIndex``. Softmax is fused in and recomputed in the backward, so no `[rows, vocab]`
/// buffer of probabilities is kept alive between forward and backward.
public func crossEntropy(_ logits: Tensor, targets: [Int32]) -> Tensor {
    let classes = logits.shape.last ?? 0, rows = logits.count / max(1, classes)
    precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows of \(logits.shape)")
    for t in targets where t != ignoreIndex {
        precondition(t >= 0 && Int(t) < classes, "crossEntropy: target \(t) outside 0..<\(classes)")
    }
    let counted = targets.filter { $0 != ignoreIndex }.count
    var rowLSE = [Float](repeating: 0, count: rows)
    rowLSE.withUnsafeMutableBufferPointer { lp in logits.data.withUnsafeBufferPointer { zp in
        let (lse, z) = (SendablePointer(lp.baseAddress!), zp.baseAddress!)
        parallelChunks(rows, minimumPerThread: 8) { range in
            for r in range where targets[r] != ignoreIndex { lse.base[r] = logSumExp(z + r * classes, classes) }
        }
    } }
    var total = 0.0
    for r in 0..<rows where targets[r] != ignoreIndex {
        total += Double(rowLSE[r] - logits.data[r * classes + Int(targets[r])])
    }
    let value = counted == 0 ? Float(0) : Float(total / Double(counted))
    return Tensor.result(shape: [], data: [value], op: "crossEntropy", inputs: [logits]) { y in
        guard let g = y.grad?.first, counted > 0 else { return }
        let perRow = g / Float(counted)
        logits.accumulateGrad { gz in logits.data.withUnsafeBufferPointer { zp in
            let (dst, z) = (SendablePointer(gz.baseAddress!), zp.baseAddress!)
            parallelChunks(rows, minimumPerThread: 8) { range in
                for r in range where targets[r] != ignoreIndex {
                    let base = r * classes, lse = rowLSE[r]
                    for j in 0..<classes { dst.base[base + j] += expf(z[base + j] - lse) * perRow }
                    dst.base[base + Int(targets[r])] -= perRow
                }
            }
        } }
    }
}

/// Cross-entropy with probability targets: `mean_r −Σ_j t_rj · log softmax(z_r)_j`.
/// `targets` has the logits' shape and is a constant (no gradient flows into it).
public func softCrossEntropy(_ logits: Tensor, targets: Tensor) -> Tensor {
    distributionLoss(logits, targets: targets, includeTargetEntropy: false, op: "softCrossEntropy")
}

/// KL divergence `mean_r Σ_j t_rj · (log t_rj − log softmax(z_r)_j)`, i.e. `KL(t ‖ softmax z)`,
/// as PyTorch's `kl_div(log_softmax(z), t, reduction="batchmean")`. `0·log 0` counts as 0.
public func klDivergence(_ logits: Tensor, targets: Tensor) -> Tensor {
    distributionLoss(logits, targets: targets, includeTargetEntropy: true, op: "klDivergence")
}

private func distributionLoss(_ logits: Tensor, targets: Tensor, includeTargetEntropy: Bool, op: String) -> Tensor {
    precondition(logits.shape == targets.shape, "\(op): targets \(targets.shape) differ from logits \(logits.shape)")
    let classes = logits.shape.last ?? 0, rows = logits.count / max(1, classes)
    precondition(rows > 0, "\(op): no rows")
    var rowLSE = [Float](repeating: 0, count: rows)
    var total = 0.0
    logits.data.withUnsafeBufferPointer { zp in
        for r in 0..<rows {
            let base = r * classes
            rowLSE[r] = logSumExp(zp.baseAddress! + base, classes)
            for j in 0..<classes {
                let t = targets.data[base + j]
                guard t != 0 else { continue }
                total -= Double(t) * Double(zp[base + j] - rowLSE[r])
                if includeTargetEntropy { total += Double(t) * Double(logf(t)) }
            }
        }
    }
    return Tensor.result(shape: [], data: [Float(total / Double(rows))], op: op, inputs: [logits]) { y in
        guard let g = y.grad?.first else { return }
        let perRow = g / Float(rows)
        logits.accumulateGrad { gz in
            for r in 0..<rows {   // d/dz = softmax(z)·Σt − t
                let base = r * classes
                var mass: Float = 0
                for j in 0..<classes { mass += targets.data[base + j] }
                for j in 0..<classes {
                    let p = expf(logits.data[base + j] - rowLSE[r])
                    gz[base + j] += (p * mass - targets.data[base + j]) * perRow
                }
            }
        }
    }
}

/// SOPHON's inverse cross-entropy `mean_r −log(1 − p_{r,y_r})` (paper eq. 11), in stable form:
/// `1 − p_y = Σ_{j≠y} p_j`, so the loss is `logsumexp(z) − logsumexp(z without y)`.
/// Gradient: `p_y` at `y`, `p_j − softmax(z without y)_j` elsewhere. Needs at least 2 classes.
public func inverseCrossEntropy(_ logits: Tensor, labels: [Int32]) -> Tensor {
    let classes = logits.shape.last ?? 0, rows = logits.count / max(1, classes)
    precondition(classes >= 2, "inverseCrossEntropy: needs ≥ 2 classes, got \(logits.shape)")
    precondition(labels.count == rows, "inverseCrossEntropy: \(labels.count) labels for \(rows) rows")
    var lseAll = [Float](repeating: 0, count: rows), lseOthers = lseAll
    var total = 0.0
    var others = [Float](repeating: 0, count: classes)
    for r in 0..<rows {
        let y = Int(labels[r])
        precondition(y >= 0 && y < classes, "inverseCrossEntropy: label \(y) outside 0..<\(classes)")
        let base = r * classes
        for j in 0..<classes { others[j] = j == y ? -.infinity : logits.data[base + j] }
        logits.data.withUnsafeBufferPointer { lseAll[r] = logSumExp($0.baseAddress! + base, classes) }
        others.withUnsafeBufferPointer { lseOthers[r] = logSumExp($0.baseAddress!, classes) }
        total += Double(lseAll[r] - lseOthers[r])
    }
    return Tensor.result(shape: [], data: [Float(total / Double(rows))], op: "inverseCrossEntropy", inputs: [logits]) { out in
        guard let g = out.grad?.first else { return }
        let perRow = g / Float(rows)
        logits.accumulateGrad { gz in
            for r in 0..<rows {
                let y = Int(labels[r]), base = r * classes
                for j in 0..<classes {
                    let p = expf(logits.data[base + j] - lseAll[r])
                    let q = j == y ? 0 : expf(logits.data[base + j] - lseOthers[r])
                    gz[base + j] += (p - q) * perRow
                }
            }
        }
    }
}

/// SOPHON's KL from the uniform distribution, `mean_r KL(U ‖ softmax z_r)` with the correct
/// `1/C` target (paper eq. 13): `−log C − (1/C)·Σ_j log p_j`. Gradient `p_j − 1/C`.
public func klToUniform(_ logits: Tensor) -> Tensor {
    let classes = logits.shape.last ?? 0, rows = logits.count / max(1, classes)
    precondition(classes >= 1 && rows > 0, "klToUniform: empty logits \(logits.shape)")
    let uniform = Tensor(filled: 1 / Float(classes), shape: logits.shape)
    return klDivergence(logits, targets: uniform)
}

/// TAR's max-entropy suppression loss: the negative entropy `mean_r Σ_j p_j log p_j` of
/// `softmax z_r` (minimising it drives each row toward uniform). Gradient `p_j (log p_j − Σ_i p_i log p_i)`.
public func negativeEntropy(_ logits: Tensor) -> Tensor {
    let classes = logits.shape.last ?? 0, rows = logits.count / max(1, classes)
    precondition(classes >= 1 && rows > 0, "negativeEntropy: empty logits \(logits.shape)")
    var logP = [Float](repeating: 0, count: logits.count)
    var rowValue = [Float](repeating: 0, count: rows)   // Σ_j p_j log p_j per row
    logits.data.withUnsafeBufferPointer { z in
        for r in 0..<rows {
            let base = r * classes
            let lse = logSumExp(z.baseAddress! + base, classes)
            var sum: Float = 0
            for j in 0..<classes { logP[base + j] = z[base + j] - lse; sum += expf(logP[base + j]) * logP[base + j] }
            rowValue[r] = sum
        }
    }
    let total = rowValue.reduce(0, +) / Float(rows)
    return Tensor.result(shape: [], data: [total], op: "negativeEntropy", inputs: [logits]) { out in
        guard let g = out.grad?.first else { return }
        let perRow = g / Float(rows)
        logits.accumulateGrad { gz in
            for r in 0..<rows {
                let base = r * classes
                for j in 0..<classes { gz[base + j] += expf(logP[base + j]) * (logP[base + j] - rowValue[r]) * perRow }
            }
        }
    }
}
