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
    public static func features(model: GPT2Model, data: SentimentDataset, hook: HookPoint = .finalNormalized,
                                pooling: Pooling = .lastToken, batchSize: Int = 32,
                                shouldStop: () -> Bool = { Interrupt.isRequested },
                                progress: (Int, Int) -> Void = { _, _ in }) throws -> FeatureMatrix {
        guard hook.isPerToken else {
            throw GPT2Error("probe: --hook \(hook) is not a per-token hook point (expected e.g. blocks.3.hook_resid_post or ln_final.hook_normalized)")
        }
        var rows = [[Float]](repeating: [], count: data.count)
        var width = 0
        var done = 0
        for indices in data.lengthSortedBatches(size: batchSize) {
            if shouldStop() { throw Interrupted("probe: feature extraction stopped") }
            defer { done += indices.count; progress(done, data.count) }
            // Shares of the batch side by side on the cores, each padded to its own longest review.
            let shares = try DataParallel.map(rows: indices.count) { share -> (indices: [Int], batch: TokenBatch, activation: Tensor) in
                let shareIndices = Array(indices[share])
                let batch = data.batch(shareIndices)
                if hook == .finalNormalized {
                    var rng = RNG(seed: 0)
                    return (shareIndices, batch, try GradMode.withNoGrad { try model.hiddenStates(batch, rng: &rng) })
                }
                let (_, cache) = try model.runWithCache(batch, points: { $0 == hook })
                guard let value = cache[hook] else { throw GPT2Error("probe: hook \(hook) recorded nothing") }
                return (shareIndices, batch, value)
            }
            for (indices, batch, activation) in shares {
                // [share, pos, d], or [share, pos, head, headDim] read as [share, pos, head·headDim]
                let (t, d) = (activation.shape[1], activation.shape.dropFirst(2).reduce(1, *))
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
        }
        return FeatureMatrix(values: rows.flatMap { $0 }, count: data.count, width: width)
    }
}

/// Binary logistic regression with an L2 penalty, fitted exactly by Newton's method (the problem is
/// convex and small: width + 1 unknowns). The objective is scikit-learn's,
/// C · Σ log(1 + exp(−yᵢ(w·xᵢ + b))) + ½‖w‖², the intercept unpenalised, on features standardised
/// with the training set's mean and standard deviation.
public struct LogisticRegression {
    /// scikit-learn's C, the inverse strength of the L2 penalty.
    public var inverseRegularization = 1.0
    /// Newton stops when the gradient's norm is below this; ``Fitted/gradientNorm`` says where it ended.
    public var tolerance = 1e-8
    public var maxIterations = 100
    public init() {}

    public struct Fitted {
        public let weight: [Double]   // [width], on standardised features
        public let bias: Double
        let mean: [Double], scale: [Double]
        public let width: Int
        /// The gradient's norm at the end: near 0 means converged.
        public let gradientNorm: Double
        public let iterations: Int

        public var converged: Bool { gradientNorm < 1e-4 }

        public func predict(_ x: FeatureMatrix) -> [Int32] {
            (0..<x.count).map { r in
                var s = bias
                for j in 0..<width { s += (Double(x.values[r * width + j]) - mean[j]) / scale[j] * weight[j] }
                return s > 0 ? 1 : 0
            }
        }

        public func accuracy(_ x: FeatureMatrix, labels: [Int32]) -> Double {
            Double(zip(predict(x), labels).filter { $0 == $1 }.count) / Double(max(1, labels.count))
        }
    }

    /// Standardises with `x`'s statistics and fits.
    public func fit(_ x: FeatureMatrix, labels: [Int32]) throws -> Fitted {
        let (standardized, mean, scale) = try LogisticRegression.standardize(x, labels: labels)
        return try fitStandardized(standardized, width: x.width, labels: labels, mean: mean, scale: scale)
    }

    static func standardize(_ x: FeatureMatrix, labels: [Int32]) throws -> (values: [Double], mean: [Double], scale: [Double]) {
        guard x.count == labels.count, x.count > 0 else { throw GPT2Error("probe: \(x.count) feature rows for \(labels.count) labels") }
        guard x.values.allSatisfy(\.isFinite) else { throw GPT2Error("probe: the features contain NaN or infinity") }
        guard labels.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw GPT2Error("probe: labels must be 0 or 1") }
        let (n, d) = (x.count, x.width)
        var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(x.values[r * d + j]) / Double(n) } }
        for r in 0..<n { for j in 0..<d { let c = Double(x.values[r * d + j]) - mean[j]; scale[j] += c * c / Double(n) } }
        scale = scale.map { $0 > 1e-24 ? $0.squareRoot() : 1 }   // a constant feature stays 0 after centring
        var values = [Double](repeating: 0, count: n * d)
        for r in 0..<n { for j in 0..<d { values[r * d + j] = (Double(x.values[r * d + j]) - mean[j]) / scale[j] } }
        return (values, mean, scale)
    }

    /// Newton's method on already standardised rows `z` ([n, width]).
    func fitStandardized(_ z: [Double], width d: Int, labels: [Int32], mean: [Double], scale: [Double]) throws -> Fitted {
        let n = labels.count, m = d + 1   // unknowns: w (d) and b
        var theta = [Double](repeating: 0, count: m)
        var gradientNorm = Double.infinity, iteration = 0
        let c = inverseRegularization
        while iteration < maxIterations {
            try Interrupt.check("probe: fitting stopped at Newton iteration \(iteration)")
            var gradient = [Double](repeating: 0, count: m), hessian = [Double](repeating: 0, count: m * m)
            for j in 0..<d { gradient[j] = theta[j]; hessian[j * m + j] = 1 }   // the penalty ½‖w‖²
            for i in 0..<n {
                let row = z[(i * d)..<((i + 1) * d)]
                var score = theta[d]
                for (j, v) in row.enumerated() { score += theta[j] * v }
                let p = 1 / (1 + exp(-score)), residual = c * (p - Double(labels[i])), weight = c * p * (1 - p)
                for (j, v) in row.enumerated() {
                    gradient[j] += residual * v
                    for (k, u) in row.enumerated() where k <= j { hessian[j * m + k] += weight * v * u }
                    hessian[d * m + j] += weight * v
                }
                gradient[d] += residual
                hessian[d * m + d] += weight
            }
            for j in 0..<m { for k in 0..<j { hessian[k * m + j] = hessian[j * m + k] } }
            gradientNorm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if gradientNorm < tolerance { break }
            let step = try solveSymmetric(hessian, gradient, size: m)
            // Damped when a full step does not lower the objective (separable data can overshoot).
            var t = 1.0, candidate = theta
            let before = objective(theta, z, labels, d)
            while t > 1e-8 {
                candidate = zip(theta, step).map { $0 - t * $1 }
                if objective(candidate, z, labels, d) <= before { break }
                t /= 2
            }
            theta = candidate
            iteration += 1
        }
        return Fitted(weight: Array(theta.prefix(d)), bias: theta[d], mean: mean, scale: scale, width: d,
                      gradientNorm: gradientNorm, iterations: iteration)
    }

    private func objective(_ theta: [Double], _ z: [Double], _ labels: [Int32], _ d: Int) -> Double {
        var total = 0.0
        for j in 0..<d { total += 0.5 * theta[j] * theta[j] }
        for i in labels.indices {
            var score = theta[d]
            for j in 0..<d { score += theta[j] * z[i * d + j] }
            let signed = labels[i] == 1 ? score : -score
            total += inverseRegularization * (signed > 0 ? log1p(exp(-signed)) : -signed + log1p(exp(signed)))
        }
        return total
    }

    /// Solves H x = g for a symmetric positive definite H by Cholesky.
    private func solveSymmetric(_ h: [Double], _ g: [Double], size m: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: m * m)
        for j in 0..<m {
            var diagonal = h[j * m + j]
            for k in 0..<j { diagonal -= l[j * m + k] * l[j * m + k] }
            guard diagonal > 1e-300 else { throw GPT2Error("probe: the fit is singular (constant or duplicated features?)") }
            l[j * m + j] = diagonal.squareRoot()
            for i in (j + 1)..<max(j + 1, m) {
                var v = h[i * m + j]
                for k in 0..<j { v -= l[i * m + k] * l[j * m + k] }
                l[i * m + j] = v / l[j * m + j]
            }
        }
        var y = [Double](repeating: 0, count: m)
        for i in 0..<m { var v = g[i]; for k in 0..<i { v -= l[i * m + k] * y[k] }; y[i] = v / l[i * m + i] }
        var x = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) { var v = y[i]; for k in (i + 1)..<max(i + 1, m) { v -= l[k * m + i] * x[k] }; x[i] = v / l[i * m + i] }
        return x
    }
}

/// Choosing C by k-fold cross-validation on the training set, as scikit-learn's
/// `LogisticRegressionCV(Cs=10, cv=5)` does: stratified folds in data order (no shuffling), accuracy
/// averaged over folds, the first best C on ties, then a refit on all training rows.
public enum ProbeCrossValidation {
    /// `np.logspace(-4, 4, 10)`, scikit-learn's default grid.
    public static let defaultGrid: [Double] = (0..<10).map { pow(10, -4 + 8 * Double($0) / 9) }

    /// The fold of each row: scikit-learn's `StratifiedKFold(k)` without shuffling.
    public static func stratifiedFolds(labels: [Int32], k: Int) -> [Int] {
        // scikit-learn numbers the classes in order of first appearance, then sorts those numbers.
        var order: [Int32: Int] = [:]
        for label in labels where order[label] == nil { order[label] = order.count }
        let encoded = labels.map { order[$0] ?? 0 }
        let sorted = encoded.sorted()
        var folds = [Int](repeating: 0, count: labels.count)
        for (label, code) in order {
            // How many of this class each fold gets: the counts of its code among sorted[i], sorted[i+k], ….
            let allocation = (0..<k).map { i in stride(from: i, to: sorted.count, by: k).filter { sorted[$0] == code }.count }
            let assignment = (0..<k).flatMap { fold in [Int](repeating: fold, count: allocation[fold]) }
            for (position, row) in labels.indices.filter({ labels[$0] == label }).enumerated() { folds[row] = assignment[position] }
        }
        return folds
    }

    public struct Selection {
        public let inverseRegularization: Double
        /// Mean validation accuracy of each grid value.
        public let scores: [Double]
        public let fitted: LogisticRegression.Fitted
    }

    /// Cross-validates `grid` on `x` (standardised once with its own statistics) and refits the best.
    public static func select(_ x: FeatureMatrix, labels: [Int32], grid: [Double] = defaultGrid, k: Int = 5) throws -> Selection {
        let (z, mean, scale) = try LogisticRegression.standardize(x, labels: labels)
        let d = x.width
        for label in Set(labels) where labels.filter({ $0 == label }).count < k {
            throw GPT2Error("probe: class \(label) has fewer than \(k) training examples, too few for \(k)-fold cross-validation")
        }
        guard Set(labels).count == 2 else { throw GPT2Error("probe: the training labels need both classes") }
        let folds = stratifiedFolds(labels: labels, k: k)
        var scores: [Double] = []
        for c in grid {
            var regression = LogisticRegression()
            regression.inverseRegularization = c
            var total = 0.0
            for fold in 0..<k {
                let trainRows = labels.indices.filter { folds[$0] != fold }, testRows = labels.indices.filter { folds[$0] == fold }
                let fitted = try regression.fitStandardized(trainRows.flatMap { z[($0 * d)..<(($0 + 1) * d)] }, width: d,
                                                            labels: trainRows.map { labels[$0] }, mean: [Double](repeating: 0, count: d),
                                                            scale: [Double](repeating: 1, count: d))
                let correct = testRows.filter { row in
                    var s = fitted.bias
                    for j in 0..<d { s += fitted.weight[j] * z[row * d + j] }
                    return (s > 0 ? 1 : 0) == labels[row]
                }.count
                total += Double(correct) / Double(max(1, testRows.count))
            }
            scores.append(total / Double(k))
        }
        // The first C whose score is the best (within rounding: means of the same fold accuracies summed in another order).
        let top = scores.max() ?? 0
        let best = scores.firstIndex { $0 >= top - 1e-12 } ?? 0
        var regression = LogisticRegression()
        regression.inverseRegularization = grid[best]
        return Selection(inverseRegularization: grid[best], scores: scores,
                         fitted: try regression.fitStandardized(z, width: d, labels: labels, mean: mean, scale: scale))
    }
}
