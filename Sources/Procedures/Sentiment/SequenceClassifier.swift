// SequenceClassifier.swift — GPT-2 with a classification head on the last real token, as Hugging
// Face's GPT2ForSequenceClassification (`score = Linear(nEmbd, classes, bias=False)`).
import Autograd
import GPT2

public final class SequenceClassifier {
    public let body: GPT2Model
    /// `score.weight`: [classes, dModel], PyTorch's layout.
    public let head: Tensor

    /// A classifier on `body` with a new head drawn from N(0, 0.02), as Hugging Face initialises it.
    public init(body: GPT2Model, classes: Int = 2, rng: inout RNG) {
        self.body = body
        head = Tensor.randn([classes, body.config.embeddingSize], std: 0.02, rng: &rng, requiresGrad: true)
    }

    public init(body: GPT2Model, head: Tensor) {
        precondition(head.rank == 2 && head.shape[1] == body.config.embeddingSize, "SequenceClassifier: head \(head.shape)")
        self.body = body
        self.head = head
    }

    /// Draws a new head (SOPHON re-initialises it inside each fine-tuning simulation).
    public func reinitializeHead(rng: inout RNG) {
        let fresh = Tensor.randn(head.shape, std: 0.02, rng: &rng)
        head.data = fresh.data
        head.grad = nil
    }

    public var headParameter: Parameter { Parameter("score.weight", head, decays: true) }
    public var parameters: [Parameter] { body.parameters + [headParameter] }

    /// Class logits `[batch, classes]` from the final hidden state of each row's last real token.
    public func logits(_ batch: TokenBatch, training: Bool = false, rng: inout RNG) throws -> Tensor {
        let hidden = try body.hiddenStates(batch, training: training, rng: &rng)            // [batch, pos, dModel]
        let pooled = gatherPositions(hidden, positions: batch.lengths.map { $0 - 1 })       // [batch, dModel]
        return matmul(pooled, head, transposeB: true)                                       // [batch, classes]
    }

    /// Accuracy and mean cross-entropy on a dataset (no gradients, no dropout).
    public func evaluate(_ data: SentimentDataset, batchSize: Int = 16,
                         shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> (accuracy: Double, loss: Double) {
        let result = try evaluateItems(data, batchSize: batchSize, shouldStop: shouldStop)
        return (Double(result.correct.filter { $0 }.count) / Double(max(1, data.count)), result.loss)
    }

    /// Whether each item (in the dataset's order) was classified right, and the mean cross-entropy:
    /// what an interval over test items is bootstrapped from.
    public func evaluateItems(_ data: SentimentDataset, batchSize: Int = 16,
                              shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> (correct: [Bool], loss: Double) {
        var correct = [Bool](repeating: false, count: data.count), totalLoss = 0.0
        try GradMode.withNoGrad {
            for rows in data.lengthSortedBatches(size: batchSize) {
                if shouldStop() { throw Interrupted("evaluation stopped") }
                // Shares of the batch side by side on the cores (no dropout: the generator is never drawn from).
                let shares = try DataParallel.map(rows: rows.count) { share in
                    var rng = RNG(seed: 0)
                    return try logits(data.batch(Array(rows[share])), rng: &rng)   // [share, classes]
                }
                let classes = shares[0].shape[1]
                let z = Tensor(shape: [rows.count, classes], data: shares.flatMap(\.data))   // [batch, classes]
                let labels = rows.map { data.labels[$0] }
                totalLoss += Double(crossEntropy(z, targets: labels).item) * Double(rows.count)
                for (r, label) in labels.enumerated() {
                    let row = z.data[(r * classes)..<((r + 1) * classes)]
                    let best = row.indices.max { row[$0] < row[$1] }.map { $0 - r * classes } ?? 0
                    correct[rows[r]] = best == Int(label)
                }
            }
        }
        return (correct, totalLoss / Double(max(1, data.count)))
    }
}
