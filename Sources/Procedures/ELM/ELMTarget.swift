// ELMTarget.swift — ELM's erase target (Gandikota et al. 2024, erase.py `get_edit_vector`):
// softmax(topk(log p(x) + η_t·(log p(x | novice) − log p(x | expert)))) at the teacher temperature,
// from the frozen model, aligned on the tokens of x.
import Autograd
import Foundation
import GPT2

public struct ELMTargetSettings: Codable, Sendable, Equatable {
    /// η at the end of the ramp (the paper: 500; the code's default 1000).
    public var eta: Double = 500
    /// Ramp η linearly from 1 to `eta` along the passage (the code), or hold it constant.
    public var ramp = true
    public var temperature: Double = 1.2
    public var topK = 50
    public init() {}

    /// η at position `t` of an `n`-token passage: ramped linearly from 1 to `eta`, or constant.
    public func eta(at t: Int, of n: Int) -> Double {
        ramp ? (n == 1 ? eta : 1 + (eta - 1) * Double(t) / Double(n - 1)) : eta
    }
}

public enum ELMTarget {
    /// The target distribution `[n, vocab]` from the three log-softmax rows sets (each `[n, vocab]`).
    public static func combine(plain: [Double], novice: [Double], expert: [Double], rows n: Int, vocab: Int,
                               settings: ELMTargetSettings) -> [Float] {
        var target = [Float](repeating: 0, count: n * vocab)
        var row = [Double](repeating: 0, count: vocab)
        for t in 0..<n {
            let eta = settings.eta(at: t, of: n)
            for v in 0..<vocab { row[v] = plain[t * vocab + v] + eta * (novice[t * vocab + v] - expert[t * vocab + v]) }
            // Top-k: keep entries ≥ the k-th largest (ties may keep more), the rest get probability 0.
            let k = min(max(1, settings.topK), vocab)
            let threshold = kthLargest(row, k)
            let maxValue = row.max() ?? 0
            var sum = 0.0
            for v in 0..<vocab where row[v] >= threshold { sum += exp(row[v] - maxValue) }
            for v in 0..<vocab where row[v] >= threshold { target[t * vocab + v] = Float(exp(row[v] - maxValue) / sum) }
        }
        return target
    }

    /// The k-th largest value (a running top-k; V·log k instead of sorting V values per row).
    static func kthLargest(_ values: [Double], _ k: Int) -> Double {
        var top = [Double]()   // ascending, at most k
        top.reserveCapacity(k + 1)
        for v in values where top.count < k || v > top[0] {
            var lo = 0, hi = top.count
            while lo < hi { let mid = (lo + hi) / 2; if top[mid] < v { lo = mid + 1 } else { hi = mid } }
            top.insert(v, at: lo)
            if top.count > k { top.removeFirst() }
        }
        return top.first ?? -.infinity
    }

    /// Runs the frozen model on x, expert⧺x and novice⧺x (prefix and text tokenized apart, so the
    /// last n positions align exactly) and builds the target for every position of x.
    public static func target(frozen: GPT2Model, text: [Int32], expert: [Int32], novice: [Int32], settings: ELMTargetSettings) throws -> Tensor {
        let n = text.count, vocab = frozen.config.vocabSize
        guard n >= 1, max(expert.count, novice.count) + n <= frozen.config.contextLength else {
            throw GPT2Error("elm: prefix and passage (\(max(expert.count, novice.count)) + \(n) tokens) exceed the context \(frozen.config.contextLength)")
        }
        func lastRows(_ ids: [Int32]) throws -> [Double] {
            let logits = try GradMode.withNoGrad { try frozen.logits(TokenBatch(sequences: [ids])) }   // [1, len, vocab]
            return LogProbabilities.rows(logits.data[((ids.count - n) * vocab)...], rows: n, vocab: vocab, temperature: settings.temperature)
        }
        let enabled = frozen.adapters?.enabled
        frozen.adapters?.enabled = false          // the teacher is the model without its adapter
        defer { if let enabled { frozen.adapters?.enabled = enabled } }
        let plain = try lastRows(text), withExpert = try lastRows(expert + text), withNovice = try lastRows(novice + text)
        return Tensor(shape: [n, vocab], data: combine(plain: plain, novice: withNovice, expert: withExpert, rows: n, vocab: vocab, settings: settings))
    }
}
