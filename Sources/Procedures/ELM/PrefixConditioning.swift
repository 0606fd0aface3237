// PrefixConditioning.swift — does the model read ELM's expert/novice prefixes? ELM's target is
// only as good as the difference the model itself makes between p(x | expert) and p(x | novice);
// a model that ignores the prefixes gives a target of amplified noise. Three measures (the
// forgetting issue's): how far apart the two conditionals are on concept text, how much less
// likely the concept's answers are after the novice prefix, and whether the erase target still
// proposes tokens the novice-conditioned model finds plausible.
import Autograd
import Foundation
import GPT2

public struct PrefixConditioningReport: Sendable {
    /// Mean KL(p(· | expert ⧺ x<t) ‖ p(· | novice ⧺ x<t)) per token of x, in nats; interval over passages.
    public let klPerToken: Estimate
    /// Geometric mean over probes of p(answer | novice ⧺ prompt) / p(answer | expert ⧺ prompt); interval over probes.
    public let answerRatio: Estimate
    /// Share of positions where the erase target's top-1 is among the novice-conditioned model's
    /// top 10, at each η asked for (the target's η; its ramp as `target` says); interval over passages.
    public let agreement: [(eta: Double, estimate: Estimate)]
    public let passages: Int
    public let tokens: Int
    public let probes: Int
    public let pairs: Int
}

public enum PrefixConditioning {
    /// A probe as tokens: the prompt and each accepted answer (the best answer counts).
    public typealias TokenProbe = (prompt: [Int32], answers: [[Int32]])

    /// Tokenizes probes as ``KnowledgeProber`` scores them (an answer follows a space).
    public static func tokenProbes(_ probes: [KnowledgeProbe], tokenizer: BPETokenizer) -> [TokenProbe] {
        probes.map { (tokenizer.encode($0.prompt), $0.expected.map { tokenizer.encode(" " + $0) }) }
    }

    /// Averages over the prefix pairs for every passage and probe, then summarises over passages and probes.
    /// Passages should be held-out concept text (no training pool), each at most the context minus the prefixes.
    public static func measure(model: GPT2Model, passages: [[Int32]], probes: [TokenProbe],
                               prefixes: [(expert: [Int32], novice: [Int32])], target: ELMTargetSettings, etas: [Double],
                               shouldStop: () -> Bool = { Interrupt.isRequested },
                               progress: (Int, Int) -> Void = { _, _ in }) throws -> PrefixConditioningReport {
        guard !passages.isEmpty, !prefixes.isEmpty else { throw GPT2Error("prefix conditioning: no passages or no prompt pairs") }
        let vocab = model.config.vocabSize
        let total = passages.count + probes.count
        var klPerPassage: [Double] = []
        var agreementPerPassage = [[Double]](repeating: [], count: etas.count)
        // Log-probabilities `[n, vocab]` of the last n positions of `ids` (predicting x's tokens).
        func lastRows(_ ids: [Int32], _ n: Int, temperature: Double) throws -> [Double] {
            let logits = try GradMode.withNoGrad { try model.logits(TokenBatch(sequences: [ids])) }   // [1, len, vocab]
            return LogProbabilities.rows(logits.data[((ids.count - n - 1) * vocab)...], rows: n, vocab: vocab, temperature: temperature)
        }
        for (index, passage) in passages.enumerated() {
            if shouldStop() { throw Interrupted("prefix conditioning: stopped after \(index) of \(passages.count) passages") }
            // Row t predicts passage[t + 1] from passage[...t]; the first token has no prediction without a prefix.
            let n = passage.count - 1
            guard n >= 1 else { continue }
            var kl = 0.0
            var agree = [Int](repeating: 0, count: etas.count)
            for prefix in prefixes {
                guard max(prefix.expert.count, prefix.novice.count) + passage.count <= model.config.contextLength else {
                    throw GPT2Error("prefix conditioning: a passage of \(passage.count) tokens and its prefix exceed the context \(model.config.contextLength)")
                }
                let expert = try lastRows(prefix.expert + passage, n, temperature: 1)
                let novice = try lastRows(prefix.novice + passage, n, temperature: 1)
                let plain = try lastRows(passage, n, temperature: 1)
                for t in 0..<n {
                    let row = t * vocab
                    var divergence = 0.0
                    for v in 0..<vocab { divergence += exp(expert[row + v]) * (expert[row + v] - novice[row + v]) }
                    kl += divergence
                    // The target's top-1 (top-k and the temperature's normalisation do not move the argmax;
                    // the temperature scales every term alike, so it is left out).
                    for (e, etaEnd) in etas.enumerated() {
                        var settings = target
                        settings.eta = etaEnd
                        let eta = settings.eta(at: t, of: n)
                        var best = 0, bestValue = -Double.infinity
                        for v in 0..<vocab {
                            let value = plain[row + v] + eta * (novice[row + v] - expert[row + v])
                            if value > bestValue { bestValue = value; best = v }
                        }
                        let bestNovice = novice[row + best]
                        var above = 0
                        for v in 0..<vocab where novice[row + v] > bestNovice { above += 1; if above >= 10 { break } }
                        if above < 10 { agree[e] += 1 }
                    }
                }
            }
            klPerPassage.append(kl / Double(n * prefixes.count))
            for e in etas.indices { agreementPerPassage[e].append(Double(agree[e]) / Double(n * prefixes.count)) }
            progress(index + 1, total)
        }
        var logRatios: [Double] = []
        for (index, probe) in probes.enumerated() {
            if shouldStop() { throw Interrupted("prefix conditioning: stopped after \(index) of \(probes.count) probes") }
            var sum = 0.0
            for prefix in prefixes {
                var expert = 0.0, novice = 0.0
                for answer in probe.answers {
                    expert = max(expert, try KnowledgeProber.sequenceProbability(model: model, context: prefix.expert + probe.prompt, continuation: answer))
                    novice = max(novice, try KnowledgeProber.sequenceProbability(model: model, context: prefix.novice + probe.prompt, continuation: answer))
                }
                sum += log(max(novice, 1e-300)) - log(max(expert, 1e-300))
            }
            logRatios.append(sum / Double(prefixes.count))
            progress(passages.count + index + 1, total)
        }
        let logRatio = Intervals.bootstrapMean(logRatios)
        return PrefixConditioningReport(
            klPerToken: Intervals.bootstrapMean(klPerPassage),
            answerRatio: Estimate(value: exp(logRatio.value), lower: exp(logRatio.lower), upper: exp(logRatio.upper)),
            agreement: zip(etas, agreementPerPassage).map { ($0, Intervals.bootstrapMean($1)) },
            passages: klPerPassage.count, tokens: passages.reduce(0) { $0 + max(0, $1.count - 1) }, probes: probes.count, pairs: prefixes.count)
    }
}
