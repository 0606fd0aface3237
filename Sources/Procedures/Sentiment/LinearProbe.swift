// LinearProbe.swift — frozen features of a model, and logistic regression on them.
import Autograd
import Foundation
import GPT2

/// How a sequence of hidden states becomes one feature vector.
public enum Pooling: String, Sendable, CaseIterable {
    /// The last real token (Hugging Face's sequence-classification pooling).
    case lastToken = "last"
    /// The mean over real tokens.
    case mean
}

/// Frozen features: one row per example, `[count, width]` row-major.
public struct FeatureMatrix: Sendable {
    public let values: [Float]
    public let count: Int
    public let width: Int

    public init(values: [Float], count: Int, width: Int) {
        precondition(values.count == count * width, "FeatureMatrix: \(values.count) values for [\(count), \(width)]")
        self.values = values; self.count = count; self.width = width
    }
}

public enum FeatureExtractor {
    /// Features of every example at hook point `hook` (default: `ln_final.hook_normalized`, the
    /// final hidden state), pooled. Residual-stream, attention-out, MLP hooks all work; attention
    /// patterns do not (they are not per-token vectors).
    public static func features(model: GPT2Model, data: SentimentDataset, hook: String = "ln_final.hook_normalized",
                                pooling: Pooling = .lastToken, batchSize: Int = 32,
                                shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> FeatureMatrix {
        guard ActivationCache.hookNames(layers: model.config.layerCount).contains(hook), !hook.hasSuffix("hook_pattern"),
              hook != "hook_pos_embed" else {
            throw GPT2Error("probe: --hook \(hook) is not a per-token hook point (expected e.g. blocks.3.hook_resid_post or ln_final.hook_normalized)")
        }
        var rows = [[Float]](repeating: [], count: data.count)
        var width = 0
        for indices in data.lengthSortedBatches(size: batchSize) {
            if shouldStop() { throw Interrupted("probe: feature extraction stopped") }
            let batch = data.batch(indices)
            let activation: Tensor
            if hook == "ln_final.hook_normalized" {
                var rng = RNG(seed: 0)
                activation = try GradMode.withNoGrad { try model.hiddenStates(batch, rng: &rng) }
            } else {
                let (_, cache) = try model.runWithCache(batch, names: { $0 == hook })
                guard let value = cache[hook] else { throw GPT2Error("probe: hook \(hook) recorded nothing") }
                activation = value
            }
            let (t, d) = (activation.shape[1], activation.shape[2])                              // [batch, pos, d]
            width = d
            for (r, index) in indices.enumerated() {
                let length = batch.lengths[r]
                var v = [Float](repeating: 0, count: d)
                switch pooling {
                case .lastToken:
                    let base = (r * t + length - 1) * d
                    for j in 0..<d { v[j] = activation.data[base + j] }
                case .mean:
                    for p in 0..<length {
                        let base = (r * t + p) * d
                        for j in 0..<d { v[j] += activation.data[base + j] }
                    }
                    for j in 0..<d { v[j] /= Float(length) }
                }
                rows[index] = v
            }
        }
        return FeatureMatrix(values: rows.flatMap { $0 }, count: data.count, width: width)
    }
}

/// Binary (or C-class) logistic regression on standardised features, full-batch Adam with L2.
/// Deterministic: zero initialisation, no sampling.
public struct LogisticRegression {
    public var iterations = 300
    public var learningRate: Float = 0.05
    public var l2: Float = 1e-3
    public var classes = 2
    public init() {}

    public struct Fitted {
        public let weight: [Float]   // [width, classes]
        public let bias: [Float]     // [classes]
        let mean: [Float], scale: [Float]
        public let width: Int, classes: Int

        public func predict(_ x: FeatureMatrix) -> [Int32] {
            (0..<x.count).map { r in
                var best = 0, bestScore = -Float.infinity
                for c in 0..<classes {
                    var s = bias[c]
                    for j in 0..<width { s += (x.values[r * width + j] - mean[j]) / scale[j] * weight[j * classes + c] }
                    if s > bestScore { bestScore = s; best = c }
                }
                return Int32(best)
            }
        }

        public func accuracy(_ x: FeatureMatrix, labels: [Int32]) -> Double {
            let p = predict(x)
            return Double(zip(p, labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
        }
    }

    public func fit(_ x: FeatureMatrix, labels: [Int32]) throws -> Fitted {
        guard x.count == labels.count, x.count > 0 else { throw GPT2Error("probe: \(x.count) feature rows for \(labels.count) labels") }
        guard x.values.allSatisfy(\.isFinite) else { throw GPT2Error("probe: the features contain NaN or infinity") }
        let (n, d) = (x.count, x.width)
        var mean = [Float](repeating: 0, count: d), scale = [Float](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += x.values[r * d + j] / Float(n) } }
        for r in 0..<n { for j in 0..<d { let c = x.values[r * d + j] - mean[j]; scale[j] += c * c / Float(n) } }
        scale = scale.map { max($0.squareRoot(), 1e-6) }
        var standardized = x.values
        for r in 0..<n { for j in 0..<d { standardized[r * d + j] = (standardized[r * d + j] - mean[j]) / scale[j] } }
        let features = Tensor(shape: [n, d], data: standardized)
        let weight = Tensor(zeros: [d, classes], requiresGrad: true)
        let bias = Tensor(zeros: [classes], requiresGrad: true)
        let parameters = [Parameter("probe.weight", weight, decays: true), Parameter("probe.bias", bias, decays: false)]
        let optimizer = Adam(parameters, weightDecay: l2)
        for iteration in 0..<iterations {
            try Interrupt.check("probe: fitting stopped at iteration \(iteration) of \(iterations)")
            let loss = crossEntropy(linear(features, weight: weight, bias: bias), targets: labels)
            loss.backward()
            optimizer.step(learningRate: learningRate)
            parameters.zeroGrad()
        }
        return Fitted(weight: weight.data, bias: bias.data, mean: mean, scale: scale, width: d, classes: classes)
    }
}
