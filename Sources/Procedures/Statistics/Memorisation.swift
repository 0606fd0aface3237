// Memorisation.swift — per-passage scores of how well a model knows a text (MUSE, Min-K% Prob,
// Min-K%++): verbatim overlap by ROUGE-L, and membership-inference scores from token log-probabilities.
import Foundation

public enum Memorisation {
    /// ROUGE-L F-measure (β = 1) between a generated and a true continuation, over token ids:
    /// LCS / length gives precision and recall, F = 2PR / (P + R).
    public static func rougeL(_ generated: [Int32], reference: [Int32]) -> Double {
        guard !generated.isEmpty, !reference.isEmpty else { return 0 }
        let lcs = Double(longestCommonSubsequence(generated, reference))
        if lcs == 0 { return 0 }
        let precision = lcs / Double(generated.count), recall = lcs / Double(reference.count)
        return 2 * precision * recall / (precision + recall)
    }

    static func longestCommonSubsequence(_ a: [Int32], _ b: [Int32]) -> Int {
        var previous = [Int](repeating: 0, count: b.count + 1), current = previous
        for x in a {
            for (j, y) in b.enumerated() { current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j]) }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Membership scores of one passage (higher: more likely a training member), from the model's
    /// next-token log-probabilities. `logProbabilities` is [positions, vocabulary] (row t predicts
    /// `targets[t]`).
    public struct Scores: Equatable, Sendable {
        /// −(mean token NLL).
        public let loss: Double
        /// Mean of the lowest k% token log-probabilities (Min-K% Prob).
        public let minK: Double
        /// Mean of the lowest k% of (log p(x_t) − μ_t) / σ_t, μ and σ² the mean and variance of
        /// log p under the model's own next-token distribution (Min-K%++).
        public let minKPlusPlus: Double
    }

    /// `k` is the fraction of tokens kept (0.2 in Min-K% and Min-K%++); at least one token is.
    public static func scores(logProbabilities: UnsafeBufferPointer<Float>, vocabulary: Int, targets: [Int32], k: Double = 0.2) throws -> Scores {
        let positions = targets.count
        guard positions > 0, logProbabilities.count == positions * vocabulary else {
            throw StatisticsError("membership scores: \(logProbabilities.count) log-probabilities for \(positions) positions × \(vocabulary) tokens")
        }
        var tokenLogProbabilities = [Double](repeating: 0, count: positions)
        var standardized = [Double](repeating: 0, count: positions)
        for t in 0..<positions {
            let row = logProbabilities.baseAddress! + t * vocabulary
            var mu = 0.0, second = 0.0
            for z in 0..<vocabulary {
                let lp = Double(row[z]), p = exp(lp)
                if p > 0 { mu += p * lp; second += p * lp * lp }
            }
            let sigma = max(second - mu * mu, 0).squareRoot()
            let target = Int(targets[t])
            guard target >= 0 && target < vocabulary else { throw StatisticsError("membership scores: token \(target) outside the vocabulary of \(vocabulary)") }
            let lp = Double(row[target])
            tokenLogProbabilities[t] = lp
            standardized[t] = sigma > 0 ? (lp - mu) / sigma : 0
        }
        let kept = max(1, Int(Double(positions) * k))
        func lowestMean(_ xs: [Double]) -> Double { xs.sorted().prefix(kept).reduce(0, +) / Double(kept) }
        return Scores(loss: tokenLogProbabilities.reduce(0, +) / Double(positions),
                      minK: lowestMean(tokenLogProbabilities), minKPlusPlus: lowestMean(standardized))
    }

    /// MUSE's PrivLeak: (AUC(model) − AUC(retrained)) / AUC(retrained); ≈ 0 when members are no
    /// more recognisable than to a model that never trained on them.
    public static func privLeak(auc: Double, retrainedAUC: Double) -> Double { (auc - retrainedAUC) / retrainedAUC }
}
