// LogProbabilities.swift — log-softmax rows in Double, outside any graph: ELM's target and guided
// sampling, the prefix check and the knowledge probes read next-token log-probabilities this one way.
import Foundation

public enum LogProbabilities {
    /// Rows of log-softmax(z / T) in Double, for `rows` positions of `[rows, vocab]` logits.
    public static func rows(_ logits: ArraySlice<Float>, rows: Int, vocab: Int, temperature: Double = 1) -> [Double] {
        var out = [Double](repeating: 0, count: rows * vocab)
        let base = logits.startIndex
        for r in 0..<rows {
            var maxValue = -Double.infinity
            for v in 0..<vocab { maxValue = max(maxValue, Double(logits[base + r * vocab + v]) / temperature) }
            var sum = 0.0
            for v in 0..<vocab { sum += exp(Double(logits[base + r * vocab + v]) / temperature - maxValue) }
            let logSum = log(sum) + maxValue
            for v in 0..<vocab { out[r * vocab + v] = Double(logits[base + r * vocab + v]) / temperature - logSum }
        }
        return out
    }
}
