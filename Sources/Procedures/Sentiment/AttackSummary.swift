// AttackSummary.swift — what one attack recipe did to one model over several seeds: the accuracy at
// each evaluation with its 95% interval (hierarchical bootstrap over seeds and test reviews), the best
// evaluation, and whether the attack teaches the task at all (specs/measurements.md, "Attacks"):
// an attack that leaves the unprotected original at chance cannot measure protection.
import Foundation

public struct AttackSummary: Sendable {
    /// An attack teaches the task when, for every seed, its final training loss is below this…
    public static let teachingLossBelow = 0.4
    /// …and its test accuracy reaches at least this at some evaluation.
    public static let teachingAccuracyAtLeast = 0.70

    public let label: String
    /// One learning curve per seed, evaluated at the same steps.
    public let curves: [[CurvePoint]]
    /// The accuracy at each evaluation, with its interval.
    public let estimates: [Estimate]
    /// The evaluation with the highest mean accuracy.
    public let bestIndex: Int

    public init(label: String, curves: [[CurvePoint]], resamples: Int = 4000, seed: UInt64 = 0) {
        self.label = label
        self.curves = curves
        let evaluations = curves.map(\.count).min() ?? 0
        let estimates = (0..<evaluations).map { i in
            Intervals.hierarchicalBootstrapMean(curves.map { $0[i].correct.map { $0 ? 1.0 : 0.0 } }, resamples: resamples, seed: seed &+ UInt64(i))
        }
        self.estimates = estimates
        bestIndex = estimates.indices.max { estimates[$0].value < estimates[$1].value } ?? 0
    }

    public var epochs: [Double] { curves.first.map { $0.prefix(estimates.count).map(\.epoch) } ?? [] }
    public var best: Estimate { estimates[bestIndex] }
    /// The last training loss of each seed.
    public var finalTrainLosses: [Double] { curves.compactMap { $0.last?.trainLoss } }

    /// Every seed ends below the loss threshold and reaches the accuracy threshold.
    public var teaches: Bool {
        !curves.isEmpty && curves.allSatisfy { curve in
            (curve.last?.trainLoss ?? .infinity) < AttackSummary.teachingLossBelow
                && (curve.map(\.testAccuracy).max() ?? 0) >= AttackSummary.teachingAccuracyAtLeast
        }
    }

    /// How `self`'s best accuracy compares with `other`'s: "lower", "higher" or "tie" (intervals overlap).
    public func comparison(with other: AttackSummary) -> String {
        if best.ties(with: other.best) { return "tie" }
        return best.value < other.best.value ? "lower" : "higher"
    }
}
