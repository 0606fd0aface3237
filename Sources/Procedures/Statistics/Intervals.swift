// Intervals.swift — 95% intervals for rates and means (specs/measurements.md, "Uncertainty"):
// Wilson's score interval for one proportion, the percentile bootstrap over items for one seed, and
// the hierarchical bootstrap (seeds, then items within each drawn seed) for several.
import Autograd
import Foundation

/// A point estimate with its 95% interval.
public struct Estimate: Equatable, Sendable, CustomStringConvertible {
    public let value: Double
    public let lower: Double
    public let upper: Double

    public init(value: Double, lower: Double, upper: Double) {
        self.value = value
        self.lower = lower
        self.upper = upper
    }

    /// Two estimates whose intervals overlap are a tie: neither is shown to be larger.
    public func ties(with other: Estimate) -> Bool { lower <= other.upper && other.lower <= upper }

    /// A mean loss difference in nats as a relative perplexity change: exp(d) − 1, bounds and all.
    public var asPerplexityChange: Estimate { Estimate(value: exp(value) - 1, lower: exp(lower) - 1, upper: exp(upper) - 1) }

    /// `0.780 [0.742, 0.816]`.
    public var description: String { String(format: "%.3f [%.3f, %.3f]", value, lower, upper) }
}

public enum Intervals {
    /// z for a two-sided 95% interval: Φ⁻¹(0.975).
    static let z95 = 1.959963984540054

    /// Wilson's score interval for `successes` of `trials` (no continuity correction), as
    /// `statsmodels.stats.proportion.proportion_confint(method="wilson")` and scipy's
    /// `binomtest(k, n).proportion_ci(method="wilson")` give it.
    public static func wilson(successes: Int, trials: Int) -> Estimate {
        guard trials > 0 else { return Estimate(value: .nan, lower: 0, upper: 1) }
        let n = Double(trials), p = Double(successes) / n, z2 = z95 * z95
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z95 / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return Estimate(value: p, lower: max(0, centre - half), upper: min(1, centre + half))
    }

    /// Percentile bootstrap of the mean of `values` (one seed: items resampled with replacement).
    public static func bootstrapMean(_ values: [Double], resamples: Int = 4000, seed: UInt64 = 0) -> Estimate {
        hierarchicalBootstrapMean([values], resamples: resamples, seed: seed)
    }

    /// The hierarchical percentile bootstrap of the mean over seeds: each resample draws seeds with
    /// replacement, then items with replacement within each drawn seed, and averages the seeds' means.
    /// `perSeed[s][i]` is item i's value (1/0 for a correct/incorrect answer) under seed s.
    public static func hierarchicalBootstrapMean(_ perSeed: [[Double]], resamples: Int = 4000, seed: UInt64 = 0) -> Estimate {
        let seeds = perSeed.filter { !$0.isEmpty }
        guard !seeds.isEmpty else { return Estimate(value: .nan, lower: .nan, upper: .nan) }
        let point = seeds.map(mean).reduce(0, +) / Double(seeds.count)
        var rng = RNG(seed: seed)
        var statistics = [Double](repeating: 0, count: max(1, resamples))
        for r in statistics.indices {
            var total = 0.0
            for _ in seeds.indices {
                let items = seeds[seeds.count == 1 ? 0 : rng.nextInt(below: seeds.count)]
                var sum = 0.0
                for _ in items.indices { sum += items[rng.nextInt(below: items.count)] }
                total += sum / Double(items.count)
            }
            statistics[r] = total / Double(seeds.count)
        }
        statistics.sort()
        return Estimate(value: point, lower: percentile(statistics, 2.5), upper: percentile(statistics, 97.5))
    }

    /// The bootstrap of the mean over seeds when every seed was measured on the same items (the same
    /// held-out windows, the same probes): each resample draws seeds with replacement and one set of
    /// items with replacement, used for every drawn seed. Drawing items afresh per seed, as
    /// `hierarchicalBootstrapMean` does, would average the items' shared difficulty away and give an
    /// interval about √seeds too narrow in that part. `perSeed[s][i]` is item i under seed s.
    public static func crossedBootstrapMean(_ perSeed: [[Double]], resamples: Int = 4000, seed: UInt64 = 0) -> Estimate {
        let seeds = perSeed.filter { !$0.isEmpty }
        guard let items = seeds.first?.count, seeds.allSatisfy({ $0.count == items }) else { return Estimate(value: .nan, lower: .nan, upper: .nan) }
        let point = seeds.map(mean).reduce(0, +) / Double(seeds.count)
        var rng = RNG(seed: seed)
        var statistics = [Double](repeating: 0, count: max(1, resamples))
        var drawnSeeds = [Int](repeating: 0, count: seeds.count), drawnItems = [Int](repeating: 0, count: items)
        for r in statistics.indices {
            for k in drawnSeeds.indices { drawnSeeds[k] = seeds.count == 1 ? 0 : rng.nextInt(below: seeds.count) }
            for k in drawnItems.indices { drawnItems[k] = rng.nextInt(below: items) }
            var total = 0.0
            for s in drawnSeeds {
                var sum = 0.0
                for i in drawnItems { sum += seeds[s][i] }
                total += sum / Double(items)
            }
            statistics[r] = total / Double(seeds.count)
        }
        statistics.sort()
        return Estimate(value: point, lower: percentile(statistics, 2.5), upper: percentile(statistics, 97.5))
    }

    /// Paired comparison (same seeds, same items): the bootstrap interval of the mean difference a − b.
    /// An interval that contains 0 means no difference was shown.
    public static func pairedDifference(_ a: [[Double]], _ b: [[Double]], resamples: Int = 4000, seed: UInt64 = 0) -> Estimate {
        let differences = zip(a, b).map { x, y in zip(x, y).map { $0 - $1 } }
        return hierarchicalBootstrapMean(differences, resamples: resamples, seed: seed)
    }

    /// Percentile bootstrap of Σ numerators / Σ denominators over items resampled with replacement
    /// (pairs kept together): a share that is stable when single denominators are near zero. When more
    /// than 2.5% of the resampled denominators lose the sign of the whole (the difference to share out
    /// is not distinguishable from zero), the ratio has no interval and both bounds are NaN.
    public static func bootstrapRatioOfSums(numerators: [Double], denominators: [Double], resamples: Int = 4000, seed: UInt64 = 0) -> Estimate {
        let n = min(numerators.count, denominators.count)
        guard n > 0 else { return Estimate(value: .nan, lower: .nan, upper: .nan) }
        func ratio(_ num: Double, _ den: Double) -> Double { abs(den) < 1e-12 ? .nan : num / den }
        let point = ratio(numerators.prefix(n).reduce(0, +), denominators.prefix(n).reduce(0, +))
        var rng = RNG(seed: seed)
        let sign = denominators.prefix(n).reduce(0, +).sign
        var statistics: [Double] = []
        statistics.reserveCapacity(resamples)
        var unstable = 0
        for _ in 0..<max(1, resamples) {
            var num = 0.0, den = 0.0
            for _ in 0..<n { let i = rng.nextInt(below: n); num += numerators[i]; den += denominators[i] }
            let r = ratio(num, den)
            if r.isFinite && den.sign == sign { statistics.append(r) } else { unstable += 1 }
        }
        guard point.isFinite, Double(unstable) <= 0.025 * Double(max(1, resamples)) else { return Estimate(value: point, lower: .nan, upper: .nan) }
        statistics.sort()
        return Estimate(value: point, lower: percentile(statistics, 2.5), upper: percentile(statistics, 97.5))
    }

    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    /// The q-th percentile of sorted values with linear interpolation (numpy's default).
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let position = q / 100 * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
    }
}
