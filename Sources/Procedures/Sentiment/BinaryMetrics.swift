// BinaryMetrics.swift — accuracy, precision, recall, F1 and the confusion matrix of binary predictions.

/// Metrics of predictions against labels, positive class = 1 (as scikit-learn's defaults).
public struct BinaryMetrics: Equatable, Sendable {
    public let truePositives, falsePositives, trueNegatives, falseNegatives: Int

    public init(predictions: [Int32], labels: [Int32]) {
        precondition(predictions.count == labels.count, "BinaryMetrics: \(predictions.count) predictions for \(labels.count) labels")
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (p, y) in zip(predictions, labels) {
            switch (p == 1, y == 1) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
        }
        (truePositives, falsePositives, trueNegatives, falseNegatives) = (tp, fp, tn, fn)
    }

    public var count: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    public var accuracy: Double { ratio(truePositives + trueNegatives, count) }
    /// 0 when nothing is predicted positive (scikit-learn's `zero_division=0`).
    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    /// The share of examples predicted positive (a zero-shot prompt's bias shows here).
    public var predictedPositiveShare: Double { ratio(truePositives + falsePositives, count) }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
