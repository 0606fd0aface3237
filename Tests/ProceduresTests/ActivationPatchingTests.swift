// ActivationPatchingTests.swift — the patching grid's exact properties on a small random GPT-2:
// positions before the first changed token carry nothing to restore, the changed token's embedding
// restores everything at block 0, and a whole clean residual stream at the last block restores all.
import Autograd
import Foundation
import GPT2
import Procedures
import Testing

@Suite("Activation patching")
struct ActivationPatchingTests {
    let model: GPT2Model
    let clean: [Int32] = [5, 17, 42, 7, 99, 3, 120]
    let corrupted: [Int32] = [5, 17, 42, 60, 99, 3, 120]   // one token changed, at position 3

    init() throws { model = try GPT2Model.load(from: Fixtures.classifierModel) }

    private func answers() throws -> (Int32, Int32) {
        // The clean run's top token against the corrupted run's, so the difference is not zero.
        let vocab = model.config.vocabSize
        func top(_ ids: [Int32]) throws -> Int32 {
            let row = Array(try model.logits(TokenBatch(sequences: [ids])).data.suffix(vocab))
            return Int32(row.indices.max { row[$0] < row[$1] }!)
        }
        let (a, b) = (try top(clean), try top(corrupted))
        return (a, a == b ? (a + 1) % Int32(vocab) : b)
    }

    @Test func residualPatchingHasItsExactValues() throws {
        let (answer, wrong) = try answers()
        let result = try ActivationPatching.positions(model: model, clean: clean, corrupted: corrupted, answer: answer, wrong: wrong,
                                                      labels: clean.map { "\($0)" }, point: { .block($0, .residPre) })
        #expect(abs(result.cleanDifference - result.corruptedDifference) > 1e-3)
        for layer in 0..<model.config.layerCount {
            for position in 0..<3 { #expect(result.restored[layer][position] == 0, "layer \(layer), position \(position)") }
        }
        #expect(abs(result.restored[0][3] - 1) < 1e-5)           // the changed token's embedding is all the difference
        #expect(result.restored[0][4...].allSatisfy { $0 == 0 })  // later positions' embeddings are the same
    }

    @Test func headPatchingGivesAFiniteMapWhereSomeHeadMatters() throws {
        let (answer, wrong) = try answers()
        let result = try ActivationPatching.heads(model: model, clean: clean, corrupted: corrupted, answer: answer, wrong: wrong)
        #expect(result.restored.count == model.config.layerCount && result.restored.allSatisfy { $0.count == model.config.headCount })
        #expect(result.restored.joined().allSatisfy { $0.isFinite })
        #expect(result.restored.joined().contains { abs($0) > 1e-4 }, "some head should matter")
    }

    /// A copy that differs from the model only in the last block's MLP output projection: every
    /// residual stream before that MLP is identical, so patching them restores nothing, and that
    /// MLP's output at the last position is the whole difference in the last position's logits.
    @Test func patchingFromAnotherModelFindsTheOneChangedBlock() throws {
        let changed = model.copy()
        let last = model.config.layerCount - 1
        guard let proj = changed.parameters.first(where: { $0.name.hasSuffix("h.\(last).mlp.c_proj.weight") }) else {
            Issue.record("no c_proj weight in block \(last): \(changed.parameters.map(\.name))"); return
        }
        for i in stride(from: 0, to: proj.tensor.data.count, by: 7) { proj.tensor.data[i] *= -3 }
        let vocab = model.config.vocabSize
        func top(_ m: GPT2Model) throws -> Int32 {
            let row = Array(try m.logits(TokenBatch(sequences: [clean])).data.suffix(vocab))
            return Int32(row.indices.max { row[$0] < row[$1] }!)
        }
        let (answer, other) = (try top(model), try top(changed))
        let wrong = answer == other ? (answer + 1) % Int32(vocab) : other
        let resid = try ActivationPatching.positions(model: changed, source: model, clean: clean, corrupted: clean, answer: answer, wrong: wrong,
                                                     labels: clean.map { "\($0)" }, point: { .block($0, .residPre) })
        #expect(abs(resid.cleanDifference - resid.corruptedDifference) > 1e-3)
        #expect(resid.restored.joined().allSatisfy { $0 == 0 }, "\(resid.restored)")
        let mlp = try ActivationPatching.positions(model: changed, source: model, clean: clean, corrupted: clean, answer: answer, wrong: wrong,
                                                   labels: clean.map { "\($0)" }, point: { .block($0, .mlpOut) })
        #expect(abs(mlp.restored[last][clean.count - 1] - 1) < 1e-4)
        #expect(mlp.restored[last].dropLast().allSatisfy { $0 == 0 })
        #expect(mlp.restored.dropLast().joined().allSatisfy { $0 == 0 })
    }

    /// A copy whose block `block` differs only in its MLP output projection.
    private func withChangedMLP(_ block: Int) throws -> GPT2Model {
        let changed = model.copy()
        let proj = try #require(changed.parameters.first { $0.name.hasSuffix("h.\(block).mlp.c_proj.weight") })
        for i in stride(from: 0, to: proj.tensor.data.count, by: 5) { proj.tensor.data[i] *= -4 }
        return changed
    }

    private var probeSet: [PatchProbe] {
        [PatchProbe(prompt: clean, answer: 11), PatchProbe(prompt: [9, 4, 31], answer: 2),
         PatchProbe(prompt: [77, 1, 8, 13, 64, 21, 5, 30, 2, 40], answer: 90), PatchProbe(prompt: corrupted, answer: 3)]
    }

    /// Over prompts of different lengths, with block 0's MLP changed: a residual stream taken whole from
    /// before that MLP restores nothing, from after it everything, and that MLP's whole output everything;
    /// the bootstrap interval of an exact share is that share.
    @Test func patchingOverAProbeSetFindsTheChangedBlock() throws {
        let changed = try withChangedMLP(0)
        let resid = try ActivationPatching.probeSet(model: changed, source: model, probes: probeSet, point: { .block($0, .residPre) }, lastPositions: 4)
        #expect(resid.columnLabels == ["-4", "-3", "-2", "-1", "all"])
        #expect(abs(resid.sourceLogProbability - resid.modelLogProbability) > 1e-3)
        #expect(resid.restored[0].allSatisfy { $0.value == 0 && $0.lower == 0 && $0.upper == 0 }, "\(resid.restored[0])")
        for layer in 1..<model.config.layerCount {
            let all = resid.restored[layer][4]
            #expect(abs(all.value - 1) < 1e-4 && abs(all.lower - 1) < 1e-4 && abs(all.upper - 1) < 1e-4, "layer \(layer): \(all)")
        }
        let mlp = try ActivationPatching.probeSet(model: changed, source: model, probes: probeSet, point: { .block($0, .mlpOut) }, lastPositions: 0)
        #expect(mlp.columnLabels == ["all"])
        #expect(abs(mlp.restored[0][0].value - 1) < 1e-4, "\(mlp.restored[0][0])")   // later MLPs read a changed stream: no exact value
        // The log-probability itself, against a softmax of the full logits.
        let vocab = model.config.vocabSize
        let row = Array(try model.logits(TokenBatch(sequences: [clean])).data.suffix(vocab)).map(Double.init)
        let top = row.max() ?? 0
        let expected = row[11] - top - Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) })
        let direct = try ActivationPatching.probeSet(model: model, source: model, probes: [probeSet[0]], point: { .block($0, .residPre) }, lastPositions: 0)
        #expect(abs(direct.sourceLogProbability - expected) < 1e-4)
        #expect(throws: GPT2Error.self) {
            try ActivationPatching.probeSet(model: model, source: model, probes: [PatchProbe(prompt: clean, answer: Int32(vocab))], point: { .block($0, .residPre) }, lastPositions: 0)
        }
    }

    /// Positions count from each prompt's end: with the last block's MLP changed, its output at each
    /// prompt's last position restores everything, and at any earlier position nothing.
    @Test func probeSetPositionsCountFromEachPromptsEnd() throws {
        let last = model.config.layerCount - 1
        let changed = try withChangedMLP(last)
        let mlp = try ActivationPatching.probeSet(model: changed, source: model, probes: probeSet, point: { .block($0, .mlpOut) }, lastPositions: 4)
        #expect(abs(mlp.restored[last][3].value - 1) < 1e-4, "\(mlp.restored[last])")      // "-1"
        #expect(mlp.restored[last][0..<3].allSatisfy { $0.value == 0 }, "\(mlp.restored[last])")  // "-4" … "-2"
        #expect(abs(mlp.restored[last][4].value - 1) < 1e-4)                                    // "all"
        #expect(mlp.restored[..<last].joined().allSatisfy { $0.value == 0 })
    }

    @Test func patchingFromAModelOfAnotherShapeIsRefused() throws {
        var rng = RNG(seed: 1)
        var config = model.config
        config.layerCount += 1
        let other = try GPT2Model(config: config, rng: &rng)
        #expect(throws: GPT2Error.self) {
            try ActivationPatching.heads(model: model, source: other, clean: clean, corrupted: clean, answer: 1, wrong: 2)
        }
    }

    @Test func promptsOfDifferentLengthsAreRefused() {
        #expect(throws: GPT2Error.self) {
            try ActivationPatching.heads(model: model, clean: clean, corrupted: Array(corrupted.dropLast()), answer: 1, wrong: 2)
        }
    }
}
