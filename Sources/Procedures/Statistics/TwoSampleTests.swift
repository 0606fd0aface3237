// TwoSampleTests.swift — comparing two samples of a per-item statistic: the two-sample
// Kolmogorov–Smirnov test (TOFU's forget quality) and ROC AUC (membership inference).
import Foundation

public struct KolmogorovSmirnov: Equatable, Sendable {
    /// D = max |F₁(x) − F₂(x)| over the pooled sample.
    public let statistic: Double
    /// Two-sided p-value, exact (the permutation distribution without ties), as
    /// `scipy.stats.ks_2samp(a, b, method="exact")` computes it.
    public let pValue: Double

    /// Both samples must be non-empty; the exact distribution costs O(n₁·n₂), so each sample is
    /// limited to 10,000 values (scipy's own limit for choosing the exact method).
    public init(_ a: [Double], _ b: [Double]) throws {
        let n1 = a.count, n2 = b.count
        guard n1 > 0, n2 > 0 else { throw StatisticsError("Kolmogorov–Smirnov: both samples need values (got \(n1) and \(n2))") }
        guard n1 <= 10_000, n2 <= 10_000 else { throw StatisticsError("Kolmogorov–Smirnov: at most 10,000 values per sample for the exact test (got \(n1) and \(n2))") }
        guard a.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else { throw StatisticsError("Kolmogorov–Smirnov: the samples contain NaN or infinity") }
        let x = a.sorted(), y = b.sorted()
        // D as an integer multiple of 1/lcm(n1, n2): |i·n2 − j·n1| / g, maximised at the pooled values.
        let g = KolmogorovSmirnov.gcd(n1, n2)
        var i = 0, j = 0, h = 0
        while i < n1 || j < n2 {
            let value = min(i < n1 ? x[i] : .infinity, j < n2 ? y[j] : .infinity)
            while i < n1 && x[i] == value { i += 1 }
            while j < n2 && y[j] == value { j += 1 }
            h = max(h, abs(i * n2 - j * n1) / g)
        }
        statistic = Double(h) * Double(g) / (Double(n1) * Double(n2))
        // P(D ≥ d) = 1 − P(every step of a random lattice path from (0,0) to (n1,n2) stays within |i·n2 − j·n1| / g < h).
        // q[j] holds, for the current i, the probability that a uniform random path to (i, j) stayed inside.
        var q = [Double](repeating: 0, count: n2 + 1)
        for ii in 0...n1 {
            for jj in 0...n2 {
                let inside = abs(ii * n2 - jj * n1) / g < h
                if !inside { q[jj] = 0; continue }
                if ii == 0 && jj == 0 { q[jj] = 1; continue }
                let fromLeft = ii > 0 ? Double(ii) / Double(ii + jj) * q[jj] : 0          // q[jj] still holds row ii−1
                let fromBelow = jj > 0 ? Double(jj) / Double(ii + jj) * q[jj - 1] : 0
                q[jj] = fromLeft + fromBelow
            }
        }
        pValue = min(1, max(0, 1 - q[n2]))
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

public enum ROC {
    /// The area under the ROC curve of scores that should be higher for `positives` than for
    /// `negatives`: the Mann–Whitney probability P(s⁺ > s⁻) + ½ P(s⁺ = s⁻), as
    /// `sklearn.metrics.roc_auc_score` gives it.
    public static func auc(positives: [Double], negatives: [Double]) throws -> Double {
        guard !positives.isEmpty, !negatives.isEmpty else {
            throw StatisticsError("ROC AUC: both classes need scores (got \(positives.count) positive, \(negatives.count) negative)")
        }
        guard positives.allSatisfy(\.isFinite), negatives.allSatisfy(\.isFinite) else { throw StatisticsError("ROC AUC: the scores contain NaN or infinity") }
        // Mid-ranks of the pooled scores; the positives' rank sum gives U.
        let pooled = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSum = 0.0, start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let midRank = Double(start + end) / 2 + 1
            for k in start...end where pooled[k].1 { rankSum += midRank }
            start = end + 1
        }
        let n1 = Double(positives.count), n0 = Double(negatives.count)
        return (rankSum - n1 * (n1 + 1) / 2) / (n1 * n0)
    }
}

/// A statistic asked of data it cannot be computed on; the message says what was expected.
public struct StatisticsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
