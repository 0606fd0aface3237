// LogProbabilities.swift — log-softmax rows in Double, outside any graph: ELM's target and guided
// sampling, the prefix check and the knowledge probes read next-token log-probabilities this one way.
import Foundation

public enum LogProbabilities {
    /// Rows of log-softmax(z / T) in Double, for `rows` positions of `[rows, vocab]` logits.
    public static func rows(_ logits: ArraySlice<Float>, rows: Int, vocab: Int, temperature: Double = 1) -> [Double] {
        var out = [Double](repeating: 0, count: rows * vocab)
        for r in 0..<rows {
            let start = logits.startIndex + r * vocab
            let logSum = logSumExp(logits, start: start, count: vocab, temperature: temperature)
            for v in 0..<vocab { out[r * vocab + v] = Double(logits[start + v]) / temperature - logSum }
        }
        return out
    }

    /// log p(`token`) under the one row `logits` (`[vocab]`): the same number `rows` gives, without the row.
    public static func of(_ token: Int, in logits: ArraySlice<Float>, temperature: Double = 1) -> Double {
        Double(logits[logits.startIndex + token]) / temperature - logSumExp(logits, start: logits.startIndex, count: logits.count, temperature: temperature)
    }

    /// log Σ exp(z / T) over `count` logits from `start`, shifted by their maximum.
    private static func logSumExp(_ logits: ArraySlice<Float>, start: Int, count: Int, temperature: Double) -> Double {
        var maxValue = -Double.infinity
        for v in 0..<count { maxValue = max(maxValue, Double(logits[start + v]) / temperature) }
        var sum = 0.0
        for v in 0..<count { sum += exp(Double(logits[start + v]) / temperature - maxValue) }
        return log(sum) + maxValue
    }
}
