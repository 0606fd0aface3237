// StatisticsTests.swift — intervals, two-sample tests and memorisation scores against scipy,
// scikit-learn and rouge-score (tools/make_statistics_fixtures.py → Fixtures/statistics_cases.json).
import Autograd
import Foundation
import Procedures
import Testing

private struct Cases: Decodable {
    struct Wilson: Decodable { let successes: Int, trials: Int, lower: Double, upper: Double }
    struct Bootstrap: Decodable { let values: [Double], lower: Double, upper: Double }
    struct KS: Decodable { let a: [Double], b: [Double], statistic: Double, p: Double }
    struct AUC: Decodable { let positives: [Double], negatives: [Double], auc: Double }
    struct Rouge: Decodable { let generated: [Int32], reference: [Int32], f: Double }
    struct Membership: Decodable { let logProbabilities: [Float], vocabulary: Int, targets: [Int32], loss: Double, minK: Double, minKPlusPlus: Double }
    struct Probe: Decodable { let features: [Float], width: Int, labels: [Int32], weight: [Double], bias: Double, cvC: Double, cvScores: [Double], cvWeight: [Double], folds: [Int] }
    struct Folds: Decodable { let labels: [Int32], k: Int, folds: [Int] }
    struct Ratio: Decodable { let numerators: [Double], denominators: [Double], value: Double, lower: Double, upper: Double }
    let wilson: [Wilson], bootstrap: Bootstrap, ks: [KS], auc: [AUC], rouge: [Rouge], membership: [Membership], probe: [Probe], folds: [Folds], ratio: Ratio

    static let loaded: Cases? = try? JSONDecoder().decode(Cases.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("statistics_cases.json"))))
}

@Suite("Statistics against scipy, scikit-learn and rouge-score")
struct StatisticsTests {
    private var cases: Cases { get throws { try #require(Cases.loaded) } }

    @Test func wilsonIntervalMatchesScipy() throws {
        for c in try cases.wilson {
            let e = Intervals.wilson(successes: c.successes, trials: c.trials)
            #expect(abs(e.lower - c.lower) < 1e-12 && abs(e.upper - c.upper) < 1e-12, "\(c.successes)/\(c.trials): \(e) vs [\(c.lower), \(c.upper)]")
        }
    }

    @Test func itemBootstrapMatchesScipyAndWilson() throws {
        let c = try cases.bootstrap
        let e = Intervals.bootstrapMean(c.values, resamples: 20000, seed: 3)
        // Two Monte Carlo estimates of the same percentiles: within about one item (1/500) of each other.
        #expect(abs(e.lower - c.lower) <= 0.004 && abs(e.upper - c.upper) <= 0.004, "\(e) vs scipy [\(c.lower), \(c.upper)]")
        let successes = Int(c.values.reduce(0, +))
        let wilson = Intervals.wilson(successes: successes, trials: c.values.count)
        #expect(abs(e.lower - wilson.lower) < 0.006 && abs(e.upper - wilson.upper) < 0.006, "\(e) vs Wilson \(wilson)")
    }

    /// The share patching reports over probes: Σ numerators / Σ denominators, pairs resampled together.
    @Test func ratioOfSumsBootstrapMatchesScipy() throws {
        let c = try cases.ratio
        let e = Intervals.bootstrapRatioOfSums(numerators: c.numerators, denominators: c.denominators, resamples: 20000, seed: 3)
        #expect(abs(e.value - c.value) < 1e-12)
        // Two Monte Carlo estimates of the same percentiles (the interval is about 0.14 wide).
        #expect(abs(e.lower - c.lower) <= 0.006 && abs(e.upper - c.upper) <= 0.006, "\(e) vs scipy [\(c.lower), \(c.upper)]")
        // Denominators whose sum is not distinguishable from zero: no interval.
        let unstable = Intervals.bootstrapRatioOfSums(numerators: [1, 1, 1, 1], denominators: [2, -2, 1.5, -1.4])
        #expect(unstable.lower.isNaN && unstable.upper.isNaN && unstable.value.isFinite)
    }

    @Test func hierarchicalBootstrapWidensWithSeedSpread() {
        // Three seeds that agree give about the one-seed interval; three that disagree a wider one.
        let agree = (0..<3).map { s in (0..<300).map { Double(($0 * 7 + s) % 4 == 0 ? 0 : 1) } }
        let disagree = [0.55, 0.75, 0.95].map { rate in (0..<300).map { Double($0) < rate * 300 ? 1.0 : 0 } }
        let a = Intervals.hierarchicalBootstrapMean(agree, seed: 1), d = Intervals.hierarchicalBootstrapMean(disagree, seed: 1)
        #expect(a.upper - a.lower < 0.07)
        #expect(d.upper - d.lower > 0.3, "\(d)")
        #expect(abs(d.value - 0.75) < 1e-9)
        #expect(Estimate(value: 0.7, lower: 0.65, upper: 0.75).ties(with: Estimate(value: 0.78, lower: 0.74, upper: 0.82)))
        #expect(!Estimate(value: 0.7, lower: 0.65, upper: 0.73).ties(with: Estimate(value: 0.78, lower: 0.74, upper: 0.82)))
    }

    /// Seeds measured on the same items: three identical seeds are one seed measured three times, so
    /// the crossed interval is the one-seed interval (the hierarchical one, drawing items afresh per
    /// seed, is about √3 narrower), and with one seed the two bootstraps are the same draws.
    @Test func crossedBootstrapKeepsTheItemsSharedVariance() {
        var rng = RNG(seed: 3)
        let items = (0..<200).map { _ in Double(rng.nextInt(below: 1000)) / 100 }   // per-window losses, 0…10
        let one = Intervals.bootstrapMean(items, seed: 5)
        #expect(Intervals.crossedBootstrapMean([items], seed: 5) == one)
        let copies = Intervals.crossedBootstrapMean([items, items, items], seed: 5)
        let hierarchical = Intervals.hierarchicalBootstrapMean([items, items, items], seed: 5)
        let width = { (e: Estimate) in e.upper - e.lower }
        #expect(abs(width(copies) / width(one) - 1) < 0.1, "\(copies) vs \(one)")
        #expect(abs(width(hierarchical) / width(one) - 1 / 3.0.squareRoot()) < 0.1, "\(hierarchical) vs \(one)")
        // The normal approximation's width, 2 · 1.96 · sd / √n, computed from the items.
        let mean = items.reduce(0, +) / 200, sd = (items.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 199).squareRoot()
        #expect(abs(width(copies) / (2 * 1.959964 * sd / 200.0.squareRoot()) - 1) < 0.1)
        // Seeds that disagree add their spread, and unequal item counts have no crossed interval.
        let shifted = Intervals.crossedBootstrapMean([items, items.map { $0 + 2 }, items.map { $0 + 4 }], seed: 5)
        #expect(width(shifted) > 2 * width(one) && abs(shifted.value - (mean + 2)) < 1e-9)
        #expect(Intervals.crossedBootstrapMean([items, Array(items.prefix(10))]).value.isNaN)
    }

    @Test func kolmogorovSmirnovMatchesScipyExact() throws {
        for (index, c) in try cases.ks.enumerated() {
            let ks = try KolmogorovSmirnov(c.a, c.b)
            #expect(abs(ks.statistic - c.statistic) < 1e-12, "case \(index): D \(ks.statistic) vs \(c.statistic)")
            #expect(abs(ks.pValue - c.p) <= 1e-9 + 1e-7 * c.p, "case \(index): p \(ks.pValue) vs \(c.p)")
        }
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov([], [1]) }
    }

    @Test func aucMatchesScikitLearn() throws {
        for c in try cases.auc {
            #expect(abs(try ROC.auc(positives: c.positives, negatives: c.negatives) - c.auc) < 1e-12)
        }
    }

    @Test func rougeLMatchesRougeScore() throws {
        for c in try cases.rouge {
            #expect(abs(Memorisation.rougeL(c.generated, reference: c.reference) - c.f) < 1e-12, "\(c.generated) / \(c.reference)")
        }
    }

    @Test func logisticRegressionAndItsCrossValidationMatchScikitLearn() throws {
        for (index, c) in try cases.probe.enumerated() {
            let x = FeatureMatrix(values: c.features, count: c.labels.count, width: c.width)
            #expect(ProbeCrossValidation.stratifiedFolds(labels: c.labels, k: 5) == c.folds, "case \(index): folds")
            let fitted = try LogisticRegression().fit(x, labels: c.labels)
            #expect(fitted.converged)
            let worst = zip(fitted.weight + [fitted.bias], c.weight + [c.bias]).map { abs($0 - $1) }.max() ?? 1
            #expect(worst < 1e-5, "case \(index): C = 1 coefficients differ by \(worst)")
            let selection = try ProbeCrossValidation.select(x, labels: c.labels)
            #expect(abs(selection.inverseRegularization / c.cvC - 1) < 1e-9, "case \(index): C \(selection.inverseRegularization) vs \(c.cvC)")
            #expect(zip(selection.scores, c.cvScores).allSatisfy { abs($0 - $1) < 1e-9 }, "case \(index): \(selection.scores) vs \(c.cvScores)")
            let cvWorst = zip(selection.fitted.weight, c.cvWeight).map { abs($0 - $1) }.max() ?? 1
            #expect(cvWorst < 1e-5, "case \(index): refit coefficients differ by \(cvWorst)")
        }
    }

    @Test func stratifiedFoldsMatchScikitLearnWhateverTheFirstLabel() throws {
        for c in try cases.folds {
            #expect(ProbeCrossValidation.stratifiedFolds(labels: c.labels, k: c.k) == c.folds, "\(c.labels)")
        }
    }

    @Test func membershipScoresMatchTheFormulas() throws {
        for c in try cases.membership {
            let s = try c.logProbabilities.withUnsafeBufferPointer {
                try Memorisation.scores(logProbabilities: $0, vocabulary: c.vocabulary, targets: c.targets)
            }
            #expect(abs(s.loss - c.loss) < 1e-5 && abs(s.minK - c.minK) < 1e-5, "\(s)")
            #expect(abs(s.minKPlusPlus - c.minKPlusPlus) < 1e-4, "\(s.minKPlusPlus) vs \(c.minKPlusPlus)")
        }
    }
}

@Suite("Attack summaries")
struct AttackSummaryTests {
    private func curve(_ accuracies: [Double], finalLoss: Double, items: Int = 200) -> [CurvePoint] {
        accuracies.enumerated().map { i, accuracy in
            let correct = (0..<items).map { Double($0) < accuracy * Double(items) }
            return CurvePoint(step: i * 10, epoch: Double(i), trainLoss: i == 0 ? nil : (i == accuracies.count - 1 ? finalLoss : 0.6), correct: correct)
        }
    }

    @Test func anAttackTeachesOnlyWhenEverySeedLearns() {
        let learns = AttackSummary(label: "original adamw", curves: [curve([0.5, 0.7, 0.8], finalLoss: 0.2), curve([0.5, 0.72, 0.78], finalLoss: 0.3)])
        #expect(learns.teaches && learns.bestIndex == 2)
        #expect(abs(learns.best.value - 0.79) < 1e-9)
        let oneSeedFails = AttackSummary(label: "x", curves: [curve([0.5, 0.7, 0.8], finalLoss: 0.2), curve([0.5, 0.6, 0.65], finalLoss: 0.3)])
        #expect(!oneSeedFails.teaches)
        let lossTooHigh = AttackSummary(label: "x", curves: [curve([0.5, 0.75], finalLoss: 0.45)])
        #expect(!lossTooHigh.teaches)
    }

    @Test func bestAccuraciesCompareAsTiesUnlessTheirIntervalsSeparate() {
        let original = AttackSummary(label: "original adamw", curves: [curve([0.5, 0.8], finalLoss: 0.1)])
        let protected = AttackSummary(label: "sophon adamw", curves: [curve([0.5, 0.52], finalLoss: 0.6)])
        let close = AttackSummary(label: "near adamw", curves: [curve([0.5, 0.78], finalLoss: 0.1)])
        #expect(protected.comparison(with: original) == "lower")
        #expect(close.comparison(with: original) == "tie")
        #expect(original.comparison(with: protected) == "higher")
    }

    @Test func theProtectionHorizonIsWhereTheAccuracyLeavesTheThresholdAndMeetsTheReference() {
        // Evaluations at steps 0, 10, …, 50 (the helper's schedule), 200 test items each.
        let original = AttackSummary(label: "original adamw", curves: [curve([0.5, 0.65, 0.75, 0.8, 0.8, 0.8], finalLoss: 0.1)])
        let sophon = AttackSummary(label: "sophon adamw", curves: [curve([0.5, 0.5, 0.5, 0.62, 0.64, 0.79], finalLoss: 0.2),
                                                                   curve([0.5, 0.5, 0.5, 0.5, 0.62, 0.8], finalLoss: 0.2)])
        let horizon = ProtectionHorizon(sophon, threshold: 0.6, reference: original)
        // Means 0.5, 0.5, 0.5, 0.56, 0.63, 0.795: above 0.60 from step 40, each seed from 30 and 40.
        #expect(horizon.breaksAt == 40)
        #expect(horizon.seedBreaks == [30, 40])
        // The mean 0.56 at step 30 has an interval reaching past 0.60 (one seed reads 0.62), so protection is shown through step 20.
        #expect(horizon.heldThrough == 20)
        // Behind the original (0.80, intervals apart) at step 40 with 0.63; level at step 50.
        #expect(horizon.catchesReferenceAt == 50)
        let itself = ProtectionHorizon(original, threshold: 0.6, reference: original)
        #expect(itself.catchesReferenceAt == nil && itself.breaksAt == 10 && itself.heldThrough == 0)
        let neverAbove = ProtectionHorizon(AttackSummary(label: "x", curves: [curve([0.5, 0.5, 0.52], finalLoss: 0.7)]), threshold: 0.6, reference: nil)
        #expect(neverAbove.breaksAt == nil && neverAbove.heldThrough == 20)
    }
}
