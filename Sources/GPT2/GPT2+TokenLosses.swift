// GPT2+TokenLosses.swift — each token's next-token loss (`score --per-token`): the cross-entropy of
// position t−1's logits at token t, computed in Double from one forward pass.
import Autograd
import Foundation

extension GPT2Model {
    /// `ids.count − 1` losses in nats, for tokens 1…; `ids` must fit the context.
    public func tokenLosses(_ ids: [Int32]) throws -> [Double] {
        guard ids.count >= 2, ids.count <= config.contextLength else {
            throw GPT2Error("token losses need 2 to \(config.contextLength) tokens, got \(ids.count)")
        }
        let logits = try GradMode.withNoGrad { try self.logits(TokenBatch(sequences: [ids])) }   // [1, pos, vocab]
        let vocab = config.vocabSize
        return (1..<ids.count).map { t in
            let row = logits.data[((t - 1) * vocab)..<(t * vocab)]
            let maxLogit = Double(row.max() ?? 0)
            let logSum = Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1) - maxLogit) }) + maxLogit
            return logSum - Double(row[row.startIndex + Int(ids[t])])
        }
    }
}
