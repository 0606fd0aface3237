// HuggingFaceParityTests.swift — logits, loss and every gradient against PyTorch + transformers
// (fixtures from tools/make_fixtures.py), with and without padding.
import Autograd
import GPT2
import Testing

@Suite("Hugging Face parity")
struct HuggingFaceParityTests {
    static let cases: [(String, Int)] = Fixtures.models.flatMap { m in [(m, 0), (m, 1)] }

    @Test(arguments: cases)
    func logitsLossAndGradients(model name: String, batchIndex: Int) throws {
        let model = try GPT2Model.load(from: Fixtures.path("\(name)/tf_model.h5"))
        let batch = try Fixtures.batch(model: name, index: batchIndex)
        let prefix = "\(name)/batch\(batchIndex)"

        // Logits at real positions (padded positions are never read by anything downstream).
        let reference = try Fixtures.floats(prefix + "/logits").values
        let logits = try GradMode.withNoGrad { try model.logits(batch) }
        let vocab = model.config.vocabSize
        var ours: [Float] = [], theirs: [Float] = []
        for b in 0..<batch.batchSize {
            let range = (b * batch.length * vocab)..<((b * batch.length + batch.lengths[b]) * vocab)
            ours += logits.data[range]
            theirs += reference[range]
        }
        #expect(scaledMaxDifference(ours, theirs) < 1e-4, "logits differ from Hugging Face")

        var rng = RNG(seed: 0)
        let loss = try model.languageModelLoss(batch, rng: &rng)
        let referenceLoss = try Fixtures.floats(prefix + "/loss").values[0]
        #expect(abs(loss.item - referenceLoss) < 1e-5, "loss \(loss.item) vs Hugging Face \(referenceLoss)")

        model.parameters.zeroGrad()
        loss.backward()
        for p in model.parameters {
            let expected = try Fixtures.floats(prefix + "/grad/" + p.name).values
            let grad = p.tensor.grad ?? [Float](repeating: 0, count: p.tensor.count)
            let difference = scaledMaxDifference(grad, expected)
            #expect(difference < 1e-4, "gradient of \(p.name) differs from Hugging Face by \(difference) of its scale")
        }
    }

    @Test(arguments: Fixtures.models)
    func greedyGenerationMatchesHuggingFace(model name: String) throws {
        let model = try GPT2Model.load(from: Fixtures.path("\(name)/tf_model.h5"))
        let prompt = try Fixtures.ints("\(name)/generation/prompt").map { Int32($0) }
        let expected = try Fixtures.ints("\(name)/generation/output").map { Int32($0) }
        var rng = RNG(seed: 0)
        let options = SamplingOptions(maxNewTokens: expected.count - prompt.count, temperature: 0, stopAtEndOfText: false)
        let generated = try model.generate(prompt: prompt, options: options, rng: &rng)
        #expect(prompt + generated == expected)
    }

    @Test func kvCacheAgreesWithFullForward() throws {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        let prompt: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        // The cached path's next-token logits after the prompt and after each appended token are the
        // full forward's last row, and greedy generation follows them.
        var cache = KVCache(model: model)
        var sequence = prompt
        var cached = try GradMode.withNoGrad { try cache.append(prompt) }
        for step in 0..<8 {
            let full = Array(try model.logits(TokenBatch(sequences: [sequence])).data.suffix(model.config.vocabSize))
            #expect(scaledMaxDifference(cached, full) < 1e-5, "step \(step): cached logits differ from the full forward")
            let next = Int32(step * 37 % model.config.vocabSize)
            sequence.append(next)
            cached = try GradMode.withNoGrad { try cache.append([next]) }
        }
        var rng = RNG(seed: 5)
        let greedyCached = try model.generate(prompt: prompt, options: SamplingOptions(maxNewTokens: 6, stopAtEndOfText: false), rng: &rng)
        var greedyFull: [Int32] = []
        sequence = prompt
        for _ in 0..<6 {
            let logits = try model.logits(TokenBatch(sequences: [sequence])).data.suffix(model.config.vocabSize)
            let best = Int32(logits.indices.max { logits[$0] < logits[$1] }! - logits.startIndex)
            greedyFull.append(best)
            sequence.append(best)
        }
        #expect(greedyCached == greedyFull)
    }

    @Test func runWithCacheExposesHookPoints() throws {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        let batch = TokenBatch(sequences: [[1, 2, 3, 4, 5]])
        let (logits, cache) = try model.runWithCache(batch)
        #expect(cache.order == HookPoint.all(layers: model.config.layerCount))
        #expect(cache[.block(1, .pattern)]?.shape == [1, model.config.headCount, 5, 5])
        #expect(cache[.block(2, .mlpPost)]?.shape == [1, 5, model.config.innerSize])
        // The final normalized stream times wteᵀ is the logits.
        let normalized = try #require(cache[.finalNormalized])
        #expect(model.logits(fromHidden: normalized).data == logits.data)
        // Causal attention rows sum to one and never look ahead.
        let pattern = try #require(cache[.block(0, .pattern)])
        for row in 0..<5 {
            let values = Array(pattern.data[(row * 5)..<(row * 5 + 5)])
            #expect(abs(values.reduce(0, +) - 1) < 1e-5 && values[(row + 1)...].allSatisfy { $0 == 0 })
        }
    }
}
