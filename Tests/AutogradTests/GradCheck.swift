// GradCheck.swift — central finite differences against the autograd gradients.
import Autograd
import Testing

/// Compares the autograd gradient of `Σ w ⊙ f(inputs)` (fixed random `w`) with central finite
/// differences. The perturbed losses are reduced in Float64, so the only Float32 error left is
/// the forward's own rounding; `eps` is large enough to dominate it.
func gradCheck(_ label: String, inputs: [Tensor], eps: Float = 1e-2, rtol: Double = 2e-2, atol: Double = 2e-3,
               maxProbesPerInput: Int = 48, _ f: ([Tensor]) -> Tensor,
               sourceLocation: SourceLocation = #_sourceLocation) {
    for t in inputs { t.requiresGrad = true; t.grad = nil }
    let probe = GradMode.withNoGrad { f(inputs) }
    var rng = RNG(seed: 1234)
    let weights = Tensor.randn(probe.shape, rng: &rng)
    let out = f(inputs)
    let loss = sum(mul(out, weights))
    loss.backward()

    func weightedLoss() -> Double {
        let y = GradMode.withNoGrad { f(inputs) }
        var s = 0.0
        for i in 0..<y.count { s += Double(y.data[i]) * Double(weights.data[i]) }
        return s
    }

    var pick = RNG(seed: 99)
    for (n, t) in inputs.enumerated() {
        let analytic = t.grad ?? [Float](repeating: 0, count: t.count)
        var indices = Array(0..<t.count)
        if indices.count > maxProbesPerInput { pick.shuffle(&indices); indices = Array(indices.prefix(maxProbesPerInput)) }
        for i in indices {
            let saved = t.data[i]
            t.data[i] = saved + eps
            let plus = weightedLoss()
            t.data[i] = saved - eps
            let minus = weightedLoss()
            t.data[i] = saved
            let numeric = (plus - minus) / (2 * Double(eps))
            let a = Double(analytic[i])
            let excess = abs(a - numeric) - (atol + rtol * max(abs(a), abs(numeric)))
            if excess > 0 {
                Issue.record("\(label): input \(n) index \(i): autograd \(a) vs finite difference \(numeric)", sourceLocation: sourceLocation)
                break
            }
        }
    }
}

/// A random tensor for tests.
func randomTensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = RNG(seed: seed)
    return Tensor.randn(shape, std: std, rng: &rng)
}
