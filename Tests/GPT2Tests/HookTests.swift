// HookTests.swift — every TransformerLens hook point, read and written, in the full and the
// KV-cached forward, against PyTorch + transformers (tools/make_hook_fixture.py → hooks_reference.h5).
import Autograd
import Foundation
import GPT2
import Testing

@Suite("Hooks against Hugging Face")
struct HookTests {
    static let reference = Fixtures.path("hooks_reference.h5")
    let model: GPT2Model
    let ids: [Int32]

    init() throws {
        model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        ids = try TensorFile.readIntegers("ids", from: HookTests.reference).values.map { Int32($0) }
    }

    /// Compares finite entries by scale and requires −∞ in the same places (masked attention scores).
    private func expectClose(_ ours: Tensor, _ name: String) throws {
        let theirs = try TensorFile.readFloats(name, from: HookTests.reference)
        #expect(ours.shape == theirs.shape, "\(name): shape \(ours.shape), Hugging Face \(theirs.shape)")
        guard ours.shape == theirs.shape else { return }
        #expect(zip(ours.data, theirs.values).allSatisfy { $0.isFinite == $1.isFinite }, "\(name): masked entries differ")
        let pairs = zip(ours.data, theirs.values).filter { $0.1.isFinite }
        #expect(scaledMaxDifference(pairs.map(\.0), pairs.map(\.1)) < 1e-4, "\(name) differs from Hugging Face")
    }

    @Test func everyHookPointMatchesHuggingFace() throws {
        let (_, cache) = try model.runWithCache(TokenBatch(sequences: [ids]))
        let points = HookPoint.all(layers: model.config.layerCount)
        #expect(cache.order == points)
        for point in points {
            try expectClose(try #require(cache[point], "\(point) recorded nothing"), point.description)
        }
    }

    /// Head 1 of layer 1 zeroed at `attn.hook_z`, layer 0's `mlp.hook_post` halved: the fixture's edits.
    private func fixtureEdits() -> [HookPoint: (Tensor) -> Tensor] {
        let headSize = model.config.headSize
        return [
            .block(1, .z): { z in   // [batch, pos, head, headDim]
                var data = z.data
                for row in stride(from: 0, to: data.count, by: z.shape[2] * headSize) {
                    for j in 0..<headSize { data[row + headSize + j] = 0 }
                }
                return Tensor(shape: z.shape, data: data)
            },
            .block(0, .mlpPost): { scale($0, 0.5) },
        ]
    }

    @Test func writtenHooksMatchHuggingFace() throws {
        let (logits, _) = try model.runWithCache(TokenBatch(sequences: [ids]), points: { _ in false }, edits: fixtureEdits())
        try expectClose(logits, "edited/logits")
        // Generation runs the KV-cached path: the edits must act there too.
        let expected = try TensorFile.readIntegers("edited/generation", from: HookTests.reference).values.map { Int32($0) }
        var rng = RNG(seed: 0)
        let prompt = Array(ids.prefix(4))
        let generated = try model.generate(prompt: prompt, options: SamplingOptions(maxNewTokens: expected.count - 4, stopAtEndOfText: false),
                                           rng: &rng, hooks: try Hooks(edits: fixtureEdits()))
        #expect(prompt + generated == expected)
        let plain = try model.generate(prompt: prompt, options: SamplingOptions(maxNewTokens: expected.count - 4, stopAtEndOfText: false), rng: &rng)
        #expect(plain != generated, "the edits should change this generation, or the test shows nothing")
    }

    /// `score --per-token`'s losses against PyTorch's per-position cross-entropy.
    @Test func perTokenLossesMatchHuggingFace() throws {
        let expected = try TensorFile.readFloats("per_token/loss", from: HookTests.reference).values
        let ours = try model.tokenLosses(ids)
        #expect(ours.count == expected.count && zip(ours, expected).allSatisfy { abs($0 - Double($1)) < 1e-4 }, "\(ours) vs \(expected)")
    }

    /// `ablate`'s interventions (a mean-ablated MLP output, a zeroed head) against the same edits in PyTorch.
    @Test func ablatedLossMatchesHuggingFace() throws {
        let ablated = model.copy()
        let (width, heads, headSize) = (model.config.embeddingSize, model.config.headCount, model.config.headSize)
        let mean = try ablated.meanActivation(at: .block(0, .mlpOut), tokens: ids)
        ablated.interventions = [
            try Intervention.ablation(at: .block(0, .mlpOut), tokenShape: [width], selected: Array(repeating: true, count: width), replacement: mean, label: "mean"),
            try Intervention.ablation(at: .block(1, .z), tokenShape: [heads, headSize], selected: (0..<(heads * headSize)).map { $0 < headSize },
                                      replacement: Array(repeating: 0, count: heads * headSize), label: "zero head 0"),
        ]
        var rng = RNG(seed: 0)
        let loss = try ablated.languageModelLoss(TokenBatch(sequences: [ids]), rng: &rng).item
        let expected = try TensorFile.readFloats("ablated/loss", from: HookTests.reference).values[0]
        #expect(abs(loss - expected) < 1e-4, "\(loss) vs \(expected)")
        #expect(abs(loss - (try model.languageModelLoss(TokenBatch(sequences: [ids]), rng: &rng).item)) > 1e-3, "the ablation should change the loss")
    }

    /// `steer`'s intervention: 3 × a vector added at every position of a residual stream.
    @Test func steeredLogitsMatchHuggingFace() throws {
        let steered = model.copy()
        let vector = try TensorFile.readFloats("steered/vector", from: HookTests.reference).values
        steered.interventions = [try Intervention.steering(at: .block(1, .residPre), tokenShape: [model.config.embeddingSize], vector: vector, scale: 3, label: "steer")]
        try expectClose(try steered.logits(TokenBatch(sequences: [ids])), "steered/logits")
    }

    /// `patch`'s edit: the clean residual entering block 1, at one position, in the corrupted run.
    @Test func patchedLogitsMatchHuggingFace() throws {
        let corrupted = try TensorFile.readIntegers("patched/ids", from: HookTests.reference).values.map { Int32($0) }
        let (_, clean) = try model.runWithCache(TokenBatch(sequences: [ids]), points: { $0 == .block(1, .residPre) })
        let source = try #require(clean[.block(1, .residPre)])   // [1, pos, dModel]
        let width = model.config.embeddingSize
        let (patched, _) = try model.runWithCache(TokenBatch(sequences: [corrupted]), points: { _ in false }, edits: [.block(1, .residPre): { x in
            var data = x.data
            for j in 0..<width { data[3 * width + j] = source.data[3 * width + j] }
            return Tensor(shape: x.shape, data: data)
        }])
        try expectClose(patched, "patched/logits")
    }

    @Test func identityEditsChangeNothing() throws {
        let plain = try model.logits(TokenBatch(sequences: [ids]))
        let writable = HookPoint.all(layers: model.config.layerCount).filter(\.isWritable)
        let edits = Dictionary(uniqueKeysWithValues: writable.map { ($0, { (t: Tensor) in t }) })
        let (edited, _) = try model.runWithCache(TokenBatch(sequences: [ids]), points: { _ in false }, edits: edits)
        #expect(edited.data == plain.data)
    }

    @Test func attentionMapsCanBeReadNotWritten() {
        #expect(throws: GPT2Error.self) { try Hooks(edits: [.block(0, .pattern): { $0 }]) }
        #expect(throws: GPT2Error.self) { try Hooks(edits: [.block(2, .attnScores): { $0 }]) }
    }

    @Test func cachedPathFiresTheSameHooks() throws {
        let (_, full) = try model.runWithCache(TokenBatch(sequences: [ids]))
        let recorded = ActivationCache()
        var cache = KVCache(model: model, hooks: try Hooks(cache: recorded))
        _ = try GradMode.withNoGrad { try cache.append(ids) }
        for point in HookPoint.all(layers: model.config.layerCount) {
            let ours = try #require(recorded[point], "\(point) did not fire in the cached path")
            let theirs = try #require(full[point])
            #expect(ours.shape == theirs.shape, "\(point)")
            let pairs = zip(ours.data, theirs.data).filter { $0.1.isFinite }
            #expect(scaledMaxDifference(pairs.map(\.0), pairs.map(\.1)) < 1e-5, "\(point) differs between the cached and the full path")
        }
    }

    @Test func namesRoundTrip() {
        for point in HookPoint.all(layers: 3) { #expect(HookPoint(point.description, layers: 3) == point) }
        #expect(HookPoint("blocks.3.hook_resid_post", layers: 3) == nil)
        #expect(HookPoint("blocks.0.attn.hook_z", layers: 3) == .block(0, .z))
    }
}

@Suite("Interventions against Hugging Face")
struct InterventionTests {
    @Test func lastingEditsActInEveryForwardPath() throws {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        let ids = try TensorFile.readIntegers("ids", from: HookTests.reference).values.map { Int32($0) }
        let (heads, headSize) = (model.config.headCount, model.config.headSize)
        // The fixture's edits, as interventions: head 1 of layer 1 zero-ablated at z, layer 0's MLP output halved.
        model.interventions = [
            try .ablation(at: .block(1, .z), tokenShape: [heads, headSize], selected: (0..<(heads * headSize)).map { $0 / headSize == 1 },
                          replacement: [Float](repeating: 0, count: heads * headSize), label: "zero head 1"),
            try Intervention(point: .block(0, .mlpPost), label: "halve") { scale($0, 0.5) },
        ]
        let logits = try model.logits(TokenBatch(sequences: [ids]))
        let reference = try TensorFile.readFloats("edited/logits", from: HookTests.reference)
        #expect(scaledMaxDifference(logits.data, reference.values) < 1e-4)
        let expected = try TensorFile.readIntegers("edited/generation", from: HookTests.reference).values.map { Int32($0) }
        var rng = RNG(seed: 0)
        let generated = try model.generate(prompt: Array(ids.prefix(4)), options: SamplingOptions(maxNewTokens: expected.count - 4, stopAtEndOfText: false), rng: &rng)
        #expect(Array(ids.prefix(4)) + generated == expected)
        // A copy (what an attack trains) keeps them; removing them restores the model exactly.
        #expect(try model.copy().logits(TokenBatch(sequences: [ids])).data == logits.data)
        let edited = logits.data
        model.interventions.removeAll()
        #expect(try model.logits(TokenBatch(sequences: [ids])).data != edited)
        let plain = try HookTests().model.logits(TokenBatch(sequences: [ids]))
        #expect(try model.logits(TokenBatch(sequences: [ids])).data == plain.data)
    }

    @Test func gradientsFlowAroundAnAblatedHead() throws {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        let (heads, headSize, width) = (model.config.headCount, model.config.headSize, model.config.embeddingSize)
        model.interventions = [try .ablation(at: .block(2, .v), tokenShape: [heads, headSize],
                                             selected: (0..<(heads * headSize)).map { $0 / headSize == 0 },
                                             replacement: [Float](repeating: 0, count: heads * headSize), label: "zero head 0's values")]
        var rng = RNG(seed: 0)
        try model.languageModelLoss(TokenBatch(sequences: [[5, 17, 42, 7, 260, 3]]), rng: &rng).backward()
        // c_attn's weight [dModel, 3·dModel]: head 0's value columns get no gradient, head 1's do.
        let grad = try #require(model.parameter(named: "h.2.attn.c_attn.weight")?.grad)
        func columnNorm(_ column: Int) -> Float { (0..<width).reduce(0) { $0 + abs(grad[$1 * 3 * width + column]) } }
        #expect((0..<headSize).allSatisfy { columnNorm(2 * width + $0) == 0 })
        #expect((0..<headSize).contains { columnNorm(2 * width + headSize + $0) > 0 })
        #expect(model.parameter(named: "wte.weight")?.grad?.contains { $0 != 0 } == true)
    }
}
