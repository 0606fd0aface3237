// Optimizers.swift — SGD (momentum, weight decay), Adam, AdamW; state can be saved and restored.
import Foundation

/// An optimizer updates its parameters from their gradients. Parameters without a gradient
/// (frozen, or unused by the loss) are skipped, as PyTorch skips `grad is None`.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    /// One update with the given learning rate (schedules are applied by the caller).
    func step(learningRate: Float)
    /// Everything needed to continue exactly: moment buffers and step counts, by name.
    func state() -> [String: [Float]]
    /// Restores ``state()``; throws if a buffer is missing or mis-sized.
    func load(state: [String: [Float]]) throws
}

public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
}

/// SGD with optional momentum (PyTorch semantics: `v = μ·v + g`, `p -= lr·v`) and L2 weight decay
/// added to the gradient (`g += wd·p`, decaying parameters only).
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var momentum: Float
    public var weightDecay: Float
    private var velocity: [[Float]?]

    public init(_ parameters: [Parameter], momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = Array(repeating: nil, count: parameters.count)
    }

    public func step(learningRate lr: Float) {
        for (index, p) in parameters.enumerated() {
            guard let grad = p.tensor.grad else { continue }
            let wd = p.decays ? weightDecay : 0
            var v = velocity[index] ?? []
            velocity[index] = nil   // moved out, so the writes below do not copy it (see Adam.step)
            let firstStep = v.isEmpty
            if momentum != 0 && firstStep { v = [Float](repeating: 0, count: grad.count) }
            p.tensor.data.withUnsafeMutableBufferPointer { w in
                for i in 0..<w.count {
                    var g = grad[i] + wd * w[i]
                    if momentum != 0 {
                        v[i] = firstStep ? g : momentum * v[i] + g
                        g = v[i]
                    }
                    w[i] -= lr * g
                }
            }
            if momentum != 0 { velocity[index] = v }
        }
    }

    public func state() -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (i, p) in parameters.enumerated() { if let v = velocity[i] { out["momentum.\(p.name)"] = v } }
        return out
    }

    public func load(state: [String: [Float]]) throws {
        for (i, p) in parameters.enumerated() {
            guard let v = state["momentum.\(p.name)"] else { velocity[i] = nil; continue }
            guard v.count == p.tensor.count else {
                throw OptimizerStateError(description: "optimizer state momentum.\(p.name) has \(v.count) values, expected \(p.tensor.count)")
            }
            velocity[i] = v
        }
    }
}

/// Adam (Kingma & Ba) with bias correction. `decoupledWeightDecay` makes it AdamW
/// (Loshchilov & Hutter: `p -= lr·wd·p` before the Adam update); otherwise weight decay is
/// L2 added to the gradient, as PyTorch's `Adam(weight_decay=)`.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public let decoupledWeightDecay: Bool
    private var firstMoment: [[Float]?]
    private var secondMoment: [[Float]?]
    private var steps: [Int]

    public init(_ parameters: [Parameter], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoment = Array(repeating: nil, count: parameters.count)
        secondMoment = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    /// AdamW with PyTorch's default decay of 0.01.
    public static func adamW(_ parameters: [Parameter], beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step(learningRate lr: Float) {
        for (index, p) in parameters.enumerated() {
            guard let grad = p.tensor.grad else { continue }
            let n = grad.count
            // Move the moments out (not copy): with a second reference left in the arrays, the first
            // write below would copy both — 1 GB per step at GPT-2 124M.
            var m = firstMoment[index] ?? [Float](repeating: 0, count: n)
            var v = secondMoment[index] ?? [Float](repeating: 0, count: n)
            firstMoment[index] = nil
            secondMoment[index] = nil
            steps[index] += 1
            let t = Float(steps[index])
            let correction1 = 1 - powf(beta1, t), correction2 = 1 - powf(beta2, t)
            let wd = p.decays ? weightDecay : 0
            let (b1, b2, eps, decoupled) = (beta1, beta2, epsilon, decoupledWeightDecay)
            p.tensor.data.withUnsafeMutableBufferPointer { w in
                m.withUnsafeMutableBufferPointer { mp in v.withUnsafeMutableBufferPointer { vp in grad.withUnsafeBufferPointer { gp in
                    let (wB, mB, vB, gB) = (SendablePointer(w.baseAddress!), SendablePointer(mp.baseAddress!),
                                            SendablePointer(vp.baseAddress!), gp.baseAddress!)
                    parallelChunks(n, minimumPerThread: 1 << 15) { range in
                        for i in range {
                            var g = gB[i]
                            if decoupled { wB.base[i] -= lr * wd * wB.base[i] } else { g += wd * wB.base[i] }
                            mB.base[i] = b1 * mB.base[i] + (1 - b1) * g
                            vB.base[i] = b2 * vB.base[i] + (1 - b2) * g * g
                            let mHat = mB.base[i] / correction1
                            let vHat = vB.base[i] / correction2
                            wB.base[i] -= lr * mHat / (vHat.squareRoot() + eps)
                        }
                    }
                } } }
            }
            firstMoment[index] = m
            secondMoment[index] = v
        }
    }

    public func state() -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (i, p) in parameters.enumerated() where steps[i] > 0 {
            out["exp_avg.\(p.name)"] = firstMoment[i]
            out["exp_avg_sq.\(p.name)"] = secondMoment[i]
            out["step.\(p.name)"] = [Float(steps[i])]
        }
        return out
    }

    public func load(state: [String: [Float]]) throws {
        for (i, p) in parameters.enumerated() {
            guard let step = state["step.\(p.name)"]?.first else {
                firstMoment[i] = nil; secondMoment[i] = nil; steps[i] = 0
                continue
            }
            guard let m = state["exp_avg.\(p.name)"], let v = state["exp_avg_sq.\(p.name)"],
                  m.count == p.tensor.count, v.count == p.tensor.count else {
                throw OptimizerStateError(description: "optimizer state for \(p.name) is missing or has the wrong size (expected \(p.tensor.count) values)")
            }
            firstMoment[i] = m; secondMoment[i] = v; steps[i] = Int(step)
        }
    }
}
