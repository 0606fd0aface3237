// ZeroShotSentiment.swift — the SOPHON-NLP notebook's zero-shot prompt: compare the next-token
// logits of "positive" and "negative" after "… The sentiment is ".
import Autograd
import Foundation
import GPT2

public struct ZeroShotResult: Sendable {
    public let metrics: BinaryMetrics
    /// P(positive) over the two candidate tokens, per example.
    public let positiveProbabilities: [Double]
    public let truncated: Int
}

public struct ZeroShotSentiment {
    public static let defaultTemplate = "Analyze the sentiment of the following text: '{text}'. The sentiment is "
    public let template: String
    public let positiveToken: Int32
    public let negativeToken: Int32
    private let tokenizer: BPETokenizer

    /// `positiveWord`/`negativeWord` are encoded without a leading space and their first token is
    /// compared, as the notebook does.
    public init(tokenizer: BPETokenizer, template: String = defaultTemplate,
                positiveWord: String = "positive", negativeWord: String = "negative") throws {
        guard template.contains("{text}") else { throw GPT2Error("zeroshot: the template must contain {text}") }
        guard let pos = tokenizer.encode(positiveWord).first, let neg = tokenizer.encode(negativeWord).first, pos != neg else {
            throw GPT2Error("zeroshot: '\(positiveWord)' and '\(negativeWord)' must start with different tokens")
        }
        self.tokenizer = tokenizer
        self.template = template
        positiveToken = pos
        negativeToken = neg
    }

    /// The prompt's tokens for `text`, with the review cut (at a token boundary) so the whole prompt
    /// fits `context`. Returns whether it was cut.
    public func promptTokens(_ text: String, context: Int) throws -> (ids: [Int32], truncated: Bool) {
        let full = tokenizer.encode(template.replacingOccurrences(of: "{text}", with: text))
        if full.count <= context { return (full, false) }
        let frame = tokenizer.encode(template.replacingOccurrences(of: "{text}", with: "")).count
        var budget = context - frame - 2
        let review = tokenizer.encode(text)
        // Re-tokenizing at the seam can add a token or two; shrink until it fits.
        while budget > 0 {
            let cut = tokenizer.decode(Array(review.prefix(budget)))
            let ids = tokenizer.encode(template.replacingOccurrences(of: "{text}", with: cut))
            if ids.count <= context { return (ids, true) }
            budget -= 4
        }
        throw GPT2Error("zeroshot: the template alone does not fit the model's context of \(context) tokens")
    }

    /// P(positive) for each text, in batches (right-padded; the logit is read at each row's last token).
    public func positiveProbabilities(model: GPT2Model, texts: [String], batchSize: Int = 8,
                                      shouldStop: () -> Bool = { Interrupt.isRequested },
                                      progress: (Int, Int) -> Void = { _, _ in }) throws -> (probabilities: [Double], truncated: Int) {
        var prompts: [[Int32]] = []
        var truncated = 0
        for text in texts {
            let (ids, cut) = try promptTokens(text, context: model.config.contextLength)
            prompts.append(ids)
            if cut { truncated += 1 }
        }
        var probabilities = [Double](repeating: 0, count: texts.count)
        let order = prompts.indices.sorted { prompts[$0].count < prompts[$1].count }
        try GradMode.withNoGrad {
            var rng = RNG(seed: 0)   // unused: no dropout in inference
            for start in stride(from: 0, to: order.count, by: max(1, batchSize)) {
                if shouldStop() { throw Interrupted("zeroshot: stopped after \(start) of \(order.count) examples") }
                let rows = Array(order[start..<min(order.count, start + batchSize)])
                let batch = TokenBatch(sequences: rows.map { prompts[$0] })
                let hidden = try model.hiddenStates(batch, rng: &rng)                          // [batch, pos, dModel]
                let last = gatherPositions(hidden, positions: batch.lengths.map { $0 - 1 })     // [batch, dModel]
                let d = model.config.embeddingSize
                for (r, index) in rows.enumerated() {
                    var zPos: Float = 0, zNeg: Float = 0
                    for j in 0..<d {
                        let h = last.data[r * d + j]
                        zPos += h * model.wte.data[Int(positiveToken) * d + j]
                        zNeg += h * model.wte.data[Int(negativeToken) * d + j]
                    }
                    probabilities[index] = 1 / (1 + exp(Double(zNeg - zPos)))   // softmax over the two
                }
                progress(min(order.count, start + batchSize), order.count)
            }
        }
        return (probabilities, truncated)
    }

    public func evaluate(model: GPT2Model, examples: [LabeledText], batchSize: Int = 8,
                         progress: (Int, Int) -> Void = { _, _ in }) throws -> ZeroShotResult {
        let (p, truncated) = try positiveProbabilities(model: model, texts: examples.map(\.text), batchSize: batchSize, progress: progress)
        let predictions = p.map { Int32($0 > 0.5 ? 1 : 0) }
        return ZeroShotResult(metrics: BinaryMetrics(predictions: predictions, labels: examples.map(\.label)),
                              positiveProbabilities: p, truncated: truncated)
    }
}
