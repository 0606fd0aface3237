// SentimentTests.swift — the classifier against Hugging Face, metrics against scikit-learn, and the
// fine-tuning attack's promises (a copy is trained, the same seed gives the same curve).
import Autograd
import Foundation
import GPT2
import Procedures
import Testing

/// A small separable task on the tiny fixture model's vocabulary: rows end in token 7 (label 1) or
/// 8 (label 0), so the pooled last token carries the label.
private func toyData(count: Int, seed: UInt64) throws -> SentimentDataset {
    var rng = RNG(seed: seed)
    var tokens: [[Int32]] = [], labels: [Int32] = []
    for i in 0..<count {
        let length = 3 + rng.nextInt(below: 8)
        var row = (0..<length).map { _ in Int32(10 + rng.nextInt(below: 150)) }
        let label = Int32(i % 2)
        row[length - 1] = label == 1 ? 7 : 8
        tokens.append(row); labels.append(label)
    }
    return try SentimentDataset(name: "toy", tokens: tokens, labels: labels)
}

@Suite("Sentiment measurements")
struct SentimentTests {
    @Test func classifierMatchesHuggingFace() throws {
        let model = try GPT2Model.load(from: Fixtures.classifierModel)
        let ref = Fixtures.classifierReference
        let head = try TensorFile.readFloats("score", from: ref)
        let classifier = SequenceClassifier(body: model, head: Tensor(shape: head.shape, data: head.values, requiresGrad: true))
        let ids = try TensorFile.readIntegers("ids", from: ref)
        let lengths = try TensorFile.readIntegers("lengths", from: ref).values.map { Int($0) }
        let labels = try TensorFile.readIntegers("labels", from: ref).values.map { Int32($0) }
        let batch = TokenBatch(ids: ids.values.map { Int32($0) }, batchSize: ids.shape[0], length: ids.shape[1], lengths: lengths)
        var rng = RNG(seed: 0)
        let logits = try classifier.logits(batch, rng: &rng)
        #expect(scaledMaxDifference(logits.data, try TensorFile.readFloats("logits", from: ref).values) < 1e-4)
        let loss = crossEntropy(logits, targets: labels)
        #expect(abs(loss.item - (try TensorFile.readFloats("loss", from: ref).values[0])) < 1e-5)
        loss.backward()
        for p in classifier.parameters {
            let expected = try TensorFile.readFloats("grad/" + p.name, from: ref).values
            let grad = try #require(p.tensor.grad, "no gradient for \(p.name)")
            #expect(scaledMaxDifference(grad, expected) < 1e-4, "gradient of \(p.name)")
        }
    }

    @Test func metricsMatchScikitLearn() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("metrics_cases.json")))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 5)
        for c in cases {
            let labels = try #require(c["labels"] as? [Int]).map { Int32($0) }
            let predictions = try #require(c["predictions"] as? [Int]).map { Int32($0) }
            let m = BinaryMetrics(predictions: predictions, labels: labels)
            #expect(abs(m.accuracy - (c["accuracy"] as? Double ?? -1)) < 1e-12)
            #expect(abs(m.precision - (c["precision"] as? Double ?? -1)) < 1e-12)
            #expect(abs(m.recall - (c["recall"] as? Double ?? -1)) < 1e-12)
            #expect(abs(m.f1 - (c["f1"] as? Double ?? -1)) < 1e-12)
            #expect([[m.trueNegatives, m.falsePositives], [m.falseNegatives, m.truePositives]] == c["confusion"] as? [[Int]])
        }
    }

    @Test func fineTuningTrainsACopyAndRepeatsWithTheSameSeed() throws {
        let original = try GPT2Model.load(from: Fixtures.classifierModel)
        let before = original.parameters.map { $0.tensor.data }
        let train = try toyData(count: 48, seed: 1), test = try toyData(count: 24, seed: 2)
        var settings = FineTuneSettings()
        settings.learningRate = 3e-3
        settings.epochs = 3
        settings.evalEvery = 3
        func curve() throws -> [CurvePoint] {
            var rng = RNG(seed: 0)
            return try FineTuneAttack.run(SequenceClassifier(body: original.copy(), rng: &rng), train: train, test: test, settings: settings)
        }
        let first = try curve(), second = try curve()
        #expect(first == second)
        #expect(first.count == 1 + 6)   // step 0, then every 3 of the 18 updates
        #expect(original.parameters.map { $0.tensor.data } == before)
        // The task is learnable: the attack must move test accuracy well above chance.
        #expect((first.last?.testAccuracy ?? 0) > 0.8)
        var other = settings
        other.seed = 43
        var rng = RNG(seed: 0)
        let third = try FineTuneAttack.run(SequenceClassifier(body: original.copy(), rng: &rng), train: train, test: test, settings: other)
        #expect(third.map(\.trainLoss) != first.map(\.trainLoss))
    }

    @Test func headOnlyTrainingLeavesTheBodyAlone() throws {
        let body = try GPT2Model.load(from: Fixtures.classifierModel)
        let before = body.parameters.map { $0.tensor.data }
        var rng = RNG(seed: 0)
        let classifier = SequenceClassifier(body: body, rng: &rng)
        let headBefore = classifier.head.data
        var settings = FineTuneSettings()
        settings.trainable = .headOnly
        settings.learningRate = 1e-2
        settings.epochs = 1
        _ = try FineTuneAttack.run(classifier, train: try toyData(count: 16, seed: 3), test: try toyData(count: 8, seed: 4), settings: settings)
        #expect(body.parameters.map { $0.tensor.data } == before)
        #expect(classifier.head.data != headBefore)
        #expect(TrainableSet("last:1") == .lastBlocks(1) && TrainableSet("last:x") == nil)
    }

    @Test func probeSeparatesSeparableFeatures() throws {
        // Two Gaussian clouds 3σ apart along one axis: logistic regression must get nearly all right,
        // and its accuracy must drop to chance when the labels are shuffled.
        var rng = RNG(seed: 5)
        var values: [Float] = [], labels: [Int32] = []
        for i in 0..<200 {
            let label = Int32(i % 2)
            for j in 0..<6 { values.append(Float(rng.nextNormal()) + (j == 2 ? (label == 1 ? 3 : 0) : 0)) }
            labels.append(label)
        }
        let x = FeatureMatrix(values: values, count: 200, width: 6)
        let fitted = try LogisticRegression().fit(x, labels: labels)
        #expect(fitted.accuracy(x, labels: labels) > 0.9)
        #expect(throws: GPT2Error.self) { try LogisticRegression().fit(FeatureMatrix(values: [.nan, 1], count: 1, width: 2), labels: [0]) }
        // The control: the same pipeline on shuffled labels lands at chance on fresh data.
        var shuffled = labels
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.nextInt(below: i + 1)) }
        let control = try ProbeCrossValidation.select(x, labels: shuffled)
        var fresh: [Float] = [], freshLabels: [Int32] = []
        for i in 0..<400 {
            let label = Int32(i % 2)
            for j in 0..<6 { fresh.append(Float(rng.nextNormal()) + (j == 2 ? (label == 1 ? 3 : 0) : 0)) }
            freshLabels.append(label)
        }
        let accuracy = control.fitted.accuracy(FeatureMatrix(values: fresh, count: 400, width: 6), labels: freshLabels)
        #expect(abs(accuracy - 0.5) < 0.1, "\(accuracy)")
    }

    @Test func zeroShotPromptIsCutToFitTheContext() throws {
        let scorer = try ZeroShotSentiment(tokenizer: try BPETokenizer.bundled())
        #expect(scorer.positiveToken == 24561 && scorer.negativeToken == 31591)   // "positive", "negative" without a space
        let review = String(repeating: "This film was long and it was not good at all. ", count: 40)
        let (ids, truncated) = try scorer.promptTokens(review, context: 64)
        #expect(truncated && ids.count <= 64 && ids.count > 40)
        let text = try BPETokenizer.bundled().decode(ids)
        #expect(text.hasPrefix("Analyze the sentiment of the following text: 'This film"))
        #expect(text.hasSuffix("'. The sentiment is "))
        let short = try scorer.promptTokens("Great.", context: 64)
        #expect(!short.truncated)
    }
}
