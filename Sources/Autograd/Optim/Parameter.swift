// Parameter.swift — named trainable tensors, freezing, and global gradient-norm clipping.

/// A trainable tensor with its Hugging Face name and whether weight decay applies to it.
public struct Parameter {
    public let name: String
    public let tensor: Tensor
    /// AdamW/SGD weight decay applies only where this is set. By default: matrices yes,
    /// biases and LayerNorm gains (rank 1) no — the convention of GPT-2 training recipes.
    public var decays: Bool

    public init(_ name: String, _ tensor: Tensor, decays: Bool? = nil) {
        self.name = name
        self.tensor = tensor
        self.decays = decays ?? (tensor.rank >= 2)
    }
}

extension Array where Element == Parameter {
    /// Makes the named parameters learn (or not). Frozen tensors get no gradient and no update.
    public func setTrainable(_ trainable: Bool, where predicate: (String) -> Bool = { _ in true }) {
        for p in self where predicate(p.name) {
            p.tensor.requiresGrad = trainable
            if !trainable { p.tensor.grad = nil }
        }
    }

    public func zeroGrad() { for p in self { p.tensor.grad = nil } }

    public var trainable: [Parameter] { filter { $0.tensor.requiresGrad } }

    /// Total number of values.
    public var valueCount: Int { reduce(0) { $0 + $1.tensor.count } }
}

/// The global L2 norm of all gradients (in Double, as a norm of many values must be).
public func gradientNorm(_ parameters: [Parameter]) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.tensor.grad else { continue }
        for v in g { total += Double(v) * Double(v) }
    }
    return Float(total.squareRoot())
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`: factor `maxNorm / (norm + 1e-6)`, applied only when below 1).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    let norm = gradientNorm(parameters)
    let factor = maxNorm / (norm + 1e-6)
    guard factor < 1 else { return norm }
    for p in parameters where p.tensor.grad != nil {
        p.tensor.accumulateGrad { g in for i in 0..<g.count { g[i] *= factor } }
    }
    return norm
}
