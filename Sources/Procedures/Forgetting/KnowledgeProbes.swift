// KnowledgeProbes.swift — completion probes of a concept (did the model learn, or forget, that
// Holmes's friend is Dr. Watson?): greedy hit rate and the probability of the expected answer.
import Autograd
import Foundation
import GPT2

public struct KnowledgeProbe: Sendable, Equatable {
    public let prompt: String
    public let expected: [String]
}

/// The probe sets of `completion_probes.json`: `questions` (its `prompts`), `register`
/// (`register_probes`: in-register cloze from the books) and `retain` (unrelated knowledge).
public struct ProbeSets: Sendable {
    public let sets: [(name: String, probes: [KnowledgeProbe])]
    public let maxNewTokens: Int

    public static let names = ["register", "questions", "retain"]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GPT2Error("\(path): cannot read the probes (expected completion_probes.json's layout)")
        }
        func parse(_ list: Any?, _ key: String) throws -> [KnowledgeProbe] {
            guard let items = list as? [[String: Any]] else { throw GPT2Error("\(path): \(key) is missing or not a list of probes") }
            return try items.enumerated().map { index, item in
                guard let prompt = item["prompt"] as? String, let expected = item["expected"] as? [String], !expected.isEmpty else {
                    throw GPT2Error("\(path): \(key)[\(index)] needs a prompt and a non-empty expected list")
                }
                return KnowledgeProbe(prompt: prompt, expected: expected)
            }
        }
        var sets: [(String, [KnowledgeProbe])] = []
        if let register = root["register_probes"] as? [String: Any] { sets.append(("register", try parse(register["prompts"], "register_probes.prompts"))) }
        if root["prompts"] != nil { sets.append(("questions", try parse(root["prompts"], "prompts"))) }
        if let retain = root["retain_probes"] as? [String: Any] { sets.append(("retain", try parse(retain["prompts"], "retain_probes.prompts"))) }
        guard !sets.isEmpty else { throw GPT2Error("\(path): no probe sets (expected prompts, register_probes or retain_probes)") }
        self.sets = sets
        maxNewTokens = ((root["scoring"] as? [String: Any])?["max_new_tokens"] as? Int) ?? 5
    }
}

public struct ProbeOutcome: Sendable {
    public let probe: KnowledgeProbe
    public let continuation: String
    public let hit: Bool
    /// max over the expected answers of P(" " + answer | prompt), all its tokens.
    public let answerProbability: Double
}

public struct ProbeSummary: Sendable {
    public let name: String
    public let outcomes: [ProbeOutcome]
    public var hits: Int { outcomes.filter(\.hit).count }
    public var hitRate: Double { outcomes.isEmpty ? 0 : Double(hits) / Double(outcomes.count) }
    /// The hit rate with Wilson's 95% interval.
    public var hitRateEstimate: Estimate { Intervals.wilson(successes: hits, trials: outcomes.count) }

    /// The mean answer probability with a 95% bootstrap interval over the probes.
    public var answerProbabilityEstimate: Estimate { Intervals.bootstrapMean(outcomes.map(\.answerProbability)) }

    public var meanAnswerProbability: Double {
        outcomes.isEmpty ? 0 : outcomes.map(\.answerProbability).reduce(0, +) / Double(outcomes.count)
    }
}

public enum KnowledgeProber {
    /// Scoring as the probes file says: greedy, `maxNewTokens` tokens, a hit when the continuation
    /// contains an expected answer (case-insensitive).
    public static func run(model: GPT2Model, tokenizer: BPETokenizer, name: String, probes: [KnowledgeProbe], maxNewTokens: Int,
                           shouldStop: () -> Bool = { Interrupt.isRequested },
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> ProbeSummary {
        var outcomes: [ProbeOutcome] = []
        var rng = RNG(seed: 0)   // greedy: never drawn from
        for probe in probes {
            if shouldStop() { throw Interrupted("probes: stopped after \(outcomes.count) of \(probes.count) \(name) probes") }
            let prompt = tokenizer.encode(probe.prompt)
            let generated = try model.generate(prompt: prompt, options: SamplingOptions(maxNewTokens: maxNewTokens), rng: &rng)
            let continuation = tokenizer.decode(generated)
            let lowered = continuation.lowercased()
            let hit = probe.expected.contains { lowered.contains($0.lowercased()) }
            var best = 0.0
            for answer in probe.expected {
                best = max(best, try sequenceProbability(model: model, context: prompt, continuation: tokenizer.encode(" " + answer)))
            }
            outcomes.append(ProbeOutcome(probe: probe, continuation: continuation, hit: hit, answerProbability: best))
            progress(outcomes.count, probes.count)
        }
        return ProbeSummary(name: name, outcomes: outcomes)
    }

    /// P(continuation | context) under the model: the product of each token's probability.
    public static func sequenceProbability(model: GPT2Model, context: [Int32], continuation: [Int32]) throws -> Double {
        let ids = Array((context + continuation).suffix(model.config.contextLength))
        let start = ids.count - continuation.count
        guard start >= 1 else { throw GPT2Error("probes: the answer does not fit the model's context") }
        let logits = try GradMode.withNoGrad { try model.logits(TokenBatch(sequences: [ids])) }   // [1, pos, vocab]
        let vocab = model.config.vocabSize
        var logProbability = 0.0
        for t in start..<ids.count {
            logProbability += LogProbabilities.of(Int(ids[t]), in: logits.data[((t - 1) * vocab)..<(t * vocab)])
        }
        return exp(logProbability)
    }
}
