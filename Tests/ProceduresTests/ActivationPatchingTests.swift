// ActivationPatchingTests.swift — the patching grid's exact properties on a small random GPT-2:
// positions before the first changed token carry nothing to restore, the changed token's embedding
// restores everything at block 0, and a whole clean residual stream at the last block restores all.
import Autograd
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

    @Test func promptsOfDifferentLengthsAreRefused() {
        #expect(throws: GPT2Error.self) {
            try ActivationPatching.heads(model: model, clean: clean, corrupted: Array(corrupted.dropLast()), answer: 1, wrong: 2)
        }
    }
}
