// LoRATests.swift — adapters start as the identity, only they learn, merging keeps the function,
// and the KV-cache path sees them too.
import Autograd
import Foundation
import GPT2
import TestSupport
import Testing

private func tinyModel() throws -> GPT2Model {
    var rng = RNG(seed: 4)
    return try GPT2Model(config: GPT2Config(vocabSize: 60, contextLength: 16, embeddingSize: 16, layerCount: 2, headCount: 2,
                                            embeddingDropout: 0, residualDropout: 0, attentionDropout: 0), rng: &rng)
}

private let batch = TokenBatch(sequences: [[3, 14, 15, 9, 2, 6], [5, 35, 8]], padID: 0)

@Suite("LoRA")
struct LoRATests {
    @Test func freshAdaptersAreTheIdentityAndOnlyTheyLearn() throws {
        let model = try tinyModel()
        let before = try model.logits(batch).data
        var rng = RNG(seed: 1)
        let adapters = try LoRAAdapters(config: model.config, layers: [1], modules: LoRAAdapters.Projection.allCases, rank: 2, alpha: 4, dropout: 0, rng: &rng)
        model.adapters = adapters
        #expect(try model.logits(batch).data == before)
        model.parameters.setTrainable(false)
        var r = RNG(seed: 0)
        try model.languageModelLoss(batch, training: true, rng: &r).backward()
        #expect(model.parameters.allSatisfy { $0.tensor.grad == nil })
        #expect(adapters.parameters.count == 8)
        // B starts at zero, so A gets no gradient yet while B does.
        #expect(adapters.parameters.filter { $0.name.hasSuffix("lora_B") }.allSatisfy { ($0.tensor.grad ?? []).contains { $0 != 0 } })
    }

    @Test func mergingKeepsTheFunctionAndCachedDecodingSeesAdapters() throws {
        let model = try tinyModel()
        var rng = RNG(seed: 2)
        let adapters = try LoRAAdapters(config: model.config, layers: [0, 1], modules: [.attention, .mlpIn], rank: 3, alpha: 6, dropout: 0.1, rng: &rng)
        // peft's names, sorted: what ELM checkpoints store and a bit-exact resume reads back in this order.
        #expect(adapters.parameters.map(\.name) == ["h.0.attn.c_attn.lora_A", "h.0.attn.c_attn.lora_B", "h.0.mlp.c_fc.lora_A", "h.0.mlp.c_fc.lora_B",
                                                     "h.1.attn.c_attn.lora_A", "h.1.attn.c_attn.lora_B", "h.1.mlp.c_fc.lora_A", "h.1.mlp.c_fc.lora_B"])
        for p in adapters.parameters where p.name.hasSuffix("lora_B") { p.tensor.data = Tensor.randn(p.tensor.shape, std: 0.3, rng: &rng).data }
        model.adapters = adapters
        let adapted = try model.logits(batch).data
        let plainModel = try tinyModel()
        #expect(scaledMaxDifference(adapted, try plainModel.logits(batch).data) > 1e-3)   // the adapters matter
        // Greedy decoding through the KV cache equals decoding by full forward passes.
        var sampler = RNG(seed: 0)
        let cached = try model.generate(prompt: [3, 14, 15], options: SamplingOptions(maxNewTokens: 5, stopAtEndOfText: false), rng: &sampler)
        var sequence: [Int32] = [3, 14, 15]
        for _ in 0..<5 {
            let row = try model.logits(TokenBatch(sequences: [sequence])).data.suffix(60)
            sequence.append(Int32(row.indices.max { row[$0] < row[$1] }! - row.startIndex))
        }
        #expect(cached == Array(sequence.dropFirst(3)))
        adapters.merge(into: model)
        model.adapters = nil
        #expect(scaledMaxDifference(try model.logits(batch).data, adapted) < 1e-5)
    }
}
