// Shape.swift — reshape, embedding lookup, gathers, and slicing/concatenation on the sequence axis.

/// The same values under a new shape (no copy of meaning; the values are copied once).
public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
    precondition(shape.reduce(1, *) == x.count, "reshape: \(x.shape) has \(x.count) values, \(shape) needs \(shape.reduce(1, *))")
    return Tensor.result(shape: shape, data: x.data, op: "reshape", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in for i in 0..<gx.count { gx[i] += g[i] } }
    }
}

/// Rows of `table` `[vocab, dim]` picked by `ids` (any shape) → `ids.shape + [dim]`.
/// Backward scatter-adds into the picked rows, so repeated ids accumulate.
public func embedding(_ table: Tensor, ids: [Int32], shape idShape: [Int]) -> Tensor {
    precondition(table.rank == 2, "embedding: table must be [vocab, dim], got \(table.shape)")
    precondition(idShape.reduce(1, *) == ids.count, "embedding: \(ids.count) ids do not fill \(idShape)")
    let vocab = table.shape[0], dim = table.shape[1]
    var out = [Float](repeating: 0, count: ids.count * dim)
    table.data.withUnsafeBufferPointer { tp in out.withUnsafeMutableBufferPointer { op in
        for (i, id) in ids.enumerated() {
            precondition(id >= 0 && Int(id) < vocab, "embedding: id \(id) outside 0..<\(vocab)")
            (op.baseAddress! + i * dim).update(from: tp.baseAddress! + Int(id) * dim, count: dim)
        }
    } }
    return Tensor.result(shape: idShape + [dim], data: out, op: "embedding", inputs: [table]) { y in
        guard let g = y.grad else { return }
        table.accumulateGrad { gt in
            for (i, id) in ids.enumerated() {
                let row = Int(id) * dim, src = i * dim
                for j in 0..<dim { gt[row + j] += g[src + j] }
            }
        }
    }
}

/// `x[b, positions[b], :]` for `x` `[batch, pos, dim]` → `[batch, dim]` (last-real-token pooling).
public func gatherPositions(_ x: Tensor, positions: [Int]) -> Tensor {
    precondition(x.rank == 3, "gatherPositions: expected [batch, pos, dim], got \(x.shape)")
    let (batch, length, dim) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(positions.count == batch, "gatherPositions: \(positions.count) positions for batch \(batch)")
    var out = [Float](repeating: 0, count: batch * dim)
    for b in 0..<batch {
        precondition(positions[b] >= 0 && positions[b] < length, "gatherPositions: position \(positions[b]) outside 0..<\(length)")
        for j in 0..<dim { out[b * dim + j] = x.data[(b * length + positions[b]) * dim + j] }
    }
    return Tensor.result(shape: [batch, dim], data: out, op: "gatherPositions", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in
            for b in 0..<batch {
                for j in 0..<dim { gx[(b * length + positions[b]) * dim + j] += g[b * dim + j] }
            }
        }
    }
}

/// `x[:, range, ...]` on the sequence axis (axis 1) of `x` `[batch, pos, ...]`.
public func sliceSequence(_ x: Tensor, _ range: Range<Int>) -> Tensor {
    precondition(x.rank >= 2, "sliceSequence: expected [batch, pos, ...], got \(x.shape)")
    let (batch, length) = (x.shape[0], x.shape[1])
    precondition(range.lowerBound >= 0 && range.upperBound <= length, "sliceSequence: \(range) outside 0..<\(length)")
    let inner = x.count / max(1, batch * length), width = range.count * inner
    var out = [Float](repeating: 0, count: batch * width)
    for b in 0..<batch {
        let src = (b * length + range.lowerBound) * inner
        for j in 0..<width { out[b * width + j] = x.data[src + j] }
    }
    var shape = x.shape
    shape[1] = range.count
    return Tensor.result(shape: shape, data: out, op: "sliceSequence", inputs: [x]) { y in
        guard let g = y.grad else { return }
        x.accumulateGrad { gx in
            for b in 0..<batch {
                let dst = (b * length + range.lowerBound) * inner
                for j in 0..<width { gx[dst + j] += g[b * width + j] }
            }
        }
    }
}

/// Concatenates `[batch, pos_i, ...]` tensors along the sequence axis.
public func concatSequence(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty, "concatSequence: nothing to concatenate")
    let first = parts[0]
    let batch = first.shape[0], tail = Array(first.shape.dropFirst(2))
    let inner = tail.reduce(1, *)
    for p in parts {
        precondition(p.rank == first.rank && p.shape[0] == batch && Array(p.shape.dropFirst(2)) == tail,
                     "concatSequence: \(p.shape) does not fit \(first.shape)")
    }
    let total = parts.reduce(0) { $0 + $1.shape[1] }
    var out = [Float](repeating: 0, count: batch * total * inner)
    var offset = 0
    for p in parts {
        let width = p.shape[1] * inner
        for b in 0..<batch {
            for j in 0..<width { out[(b * total) * inner + offset * inner + j] = p.data[b * width + j] }
        }
        offset += p.shape[1]
    }
    return Tensor.result(shape: [batch, total] + tail, data: out, op: "concatSequence", inputs: parts) { y in
        guard let g = y.grad else { return }
        var offset = 0
        for p in parts {
            let width = p.shape[1] * inner
            if p.requiresGrad {
                p.accumulateGrad { gp in
                    for b in 0..<batch {
                        for j in 0..<width { gp[b * width + j] += g[(b * total) * inner + offset * inner + j] }
                    }
                }
            }
            offset += p.shape[1]
        }
    }
}
