// ForgettingMeasures.swift — fluency under the concept (reverse perplexity) and the relearning attack.
import Autograd
import Foundation
import GPT2

public enum ReversePerplexity {
    /// Samples a continuation of every prompt from `model` (top-p, temperature), then scores the
    /// continuation tokens under `reference` given the prompt. Returns the pooled perplexity and the samples.
    public static func measure(model: GPT2Model, reference: GPT2Model, prompts: [[Int32]], newTokens: Int, topP: Float = 0.95,
                               temperature: Float = 1, rng: inout RNG,
                               shouldStop: () -> Bool = { Interrupt.isRequested },
                               progress: (Int, Int) -> Void = { _, _ in }) throws -> (perplexity: Double, samples: [[Int32]]) {
        var totalLoss = 0.0, totalTokens = 0
        var samples: [[Int32]] = []
        for prompt in prompts {
            if shouldStop() { throw Interrupted("fluency: stopped after \(samples.count) of \(prompts.count) prompts") }
            progress(samples.count, prompts.count)
            let options = SamplingOptions(maxNewTokens: newTokens, temperature: temperature, topK: 0, topP: topP, stopAtEndOfText: true)
            let continuation = try model.generate(prompt: prompt, options: options, rng: &rng).filter { $0 != BPETokenizer.endOfTextID }
            samples.append(continuation)
            guard !continuation.isEmpty else { continue }
            let ids = Array((prompt + continuation).suffix(reference.config.contextLength))
            var targets = [Int32](repeating: ignoreIndex, count: ids.count)
            for t in (ids.count - continuation.count - 1)..<(ids.count - 1) where t >= 0 { targets[t] = ids[t + 1] }
            let counted = targets.filter { $0 != ignoreIndex }.count
            let loss = try GradMode.withNoGrad {
                var r = RNG(seed: 0)
                return projectedCrossEntropy(try reference.hiddenStates(TokenBatch(sequences: [ids]), rng: &r), weight: reference.wte, targets: targets)
            }
            totalLoss += Double(loss.item) * Double(counted)
            totalTokens += counted
        }
        guard totalTokens > 0 else { throw GPT2Error("fluency: the model generated nothing to score") }
        return (exp(totalLoss / Double(totalTokens)), samples)
    }
}

public struct RelearningPoint: Sendable {
    public let step: Int
    public let register: ProbeSummary
}

public enum RelearningAttack {
    /// Fine-tunes `model` in place (pass a copy) on random windows of `text` (next-token loss,
    /// AdamW), probing after every `evalEvery` steps: how fast does the knowledge come back?
    public static func run(model: GPT2Model, tokenizer: BPETokenizer, text: [Int32], probes: [KnowledgeProbe], maxNewTokens: Int,
                           steps: Int, evalEvery: Int, learningRate: Float, batchSize: Int, windowLength: Int, seed: UInt64,
                           shouldStop: () -> Bool = { Interrupt.isRequested }, report: (RelearningPoint) -> Void = { _ in },
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> [RelearningPoint] {
        let length = min(windowLength, model.config.contextLength)
        guard text.count > length, steps >= 0, evalEvery >= 1, batchSize >= 1 else {
            throw GPT2Error("relearn: need more than \(length) tokens of text, steps ≥ 0, eval interval and batch ≥ 1")
        }
        var rng = RNG(seed: seed)
        let optimizer = Adam.adamW(model.parameters, weightDecay: 0)
        var points: [RelearningPoint] = []
        func probe(_ step: Int) throws {
            let summary = try KnowledgeProber.run(model: model, tokenizer: tokenizer, name: "register", probes: probes, maxNewTokens: maxNewTokens, shouldStop: shouldStop)
            let point = RelearningPoint(step: step, register: summary)
            points.append(point)
            report(point)
        }
        try probe(0)
        for step in 1...max(1, steps) where steps > 0 {
            if shouldStop() { throw Interrupted("relearn: stopped at step \(step - 1) of \(steps)") }
            let windows = (0..<batchSize).map { _ -> [Int32] in
                let start = rng.nextInt(below: text.count - length)
                return Array(text[start..<(start + length)])
            }
            let loss = try model.languageModelLoss(TokenBatch(sequences: windows), training: true, rng: &rng)
            loss.backward()
            clipGradientNorm(model.parameters, maxNorm: 1)
            optimizer.step(learningRate: learningRate)
            model.parameters.zeroGrad()
            progress(step, steps)
            if step % evalEvery == 0 || step == steps { try probe(step) }
        }
        return points
    }
}
