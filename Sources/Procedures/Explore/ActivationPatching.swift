// ActivationPatching.swift — which layers, positions or heads carry a behaviour: run a corrupted
// prompt, put back one activation from the clean run, and see how much of the clean answer returns
// (Meng et al. 2022's causal tracing; TransformerLens' `patching` utilities).
import Autograd
import Foundation
import GPT2

public struct PatchingResult: Sendable {
    public let rowLabels: [String]      // layers
    public let columnLabels: [String]   // positions (their tokens) or heads
    /// `[row][column]`: (patched − corrupted) / (clean − corrupted) logit difference; 1 restores the clean answer fully.
    public let restored: [[Double]]
    public let cleanDifference: Double
    public let corruptedDifference: Double
}

public enum ActivationPatching {
    /// logit(answer) − logit(wrong) at the last position of `ids`.
    static func logitDifference(_ model: GPT2Model, _ ids: [Int32], answer: Int32, wrong: Int32, edits: [HookPoint: (Tensor) -> Tensor] = [:]) throws -> Double {
        let (logits, _) = try model.runWithCache(TokenBatch(sequences: [ids]), points: { _ in false }, edits: edits)   // [1, pos, vocab]
        let row = (ids.count - 1) * model.config.vocabSize
        return Double(logits.data[row + Int(answer)]) - Double(logits.data[row + Int(wrong)])
    }

    /// Patches the clean activation at `point(layer)` into the corrupted run, one (layer, position) at a time.
    /// Both prompts must have the same number of tokens. With `source`, the clean run is that model's
    /// (of the same shape) and the corrupted run `model`'s: which of the source's activations carry
    /// what `model` lost (patching an original into its unlearned copy on the same prompt).
    public static func positions(model: GPT2Model, source: GPT2Model? = nil, clean: [Int32], corrupted: [Int32], answer: Int32, wrong: Int32,
                                 labels: [String], point: @escaping (Int) -> HookPoint,
                                 shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> PatchingResult {
        try sweep(model: model, source: source ?? model, clean: clean, corrupted: corrupted, answer: answer, wrong: wrong, point: point,
                  columns: clean.count, columnLabels: labels, shouldStop: shouldStop) { source, position in
            let width = source.count / clean.count   // one position's values ([batch 1, pos, …])
            return { x in
                var data = x.data
                for j in 0..<width { data[position * width + j] = source.data[position * width + j] }
                return Tensor(shape: x.shape, data: data)
            }
        }
    }

    /// Patches each head's clean output (`attn.hook_z`, every position) into the corrupted run.
    public static func heads(model: GPT2Model, source: GPT2Model? = nil, clean: [Int32], corrupted: [Int32], answer: Int32, wrong: Int32,
                             shouldStop: () -> Bool = { Interrupt.isRequested }) throws -> PatchingResult {
        let (heads, headSize) = (model.config.headCount, model.config.headSize)
        return try sweep(model: model, source: source ?? model, clean: clean, corrupted: corrupted, answer: answer, wrong: wrong, point: { .block($0, .z) },
                         columns: heads, columnLabels: (0..<heads).map { "head \($0)" }, shouldStop: shouldStop) { source, head in
            { x in   // [1, pos, head, headDim]
                var data = x.data
                for position in clean.indices {
                    let base = (position * heads + head) * headSize
                    for j in 0..<headSize { data[base + j] = source.data[base + j] }
                }
                return Tensor(shape: x.shape, data: data)
            }
        }
    }

    /// The grid: for every layer's hook point and every column, the corrupted run with `patch(clean activation, column)` applied.
    private static func sweep(model: GPT2Model, source: GPT2Model, clean: [Int32], corrupted: [Int32], answer: Int32, wrong: Int32,
                              point: (Int) -> HookPoint, columns: Int, columnLabels: [String], shouldStop: () -> Bool,
                              patch: (Tensor, Int) -> (Tensor) -> Tensor) throws -> PatchingResult {
        try checkLengths(clean, corrupted)
        guard sameShape(source.config, model.config) else {
            throw GPT2Error("patch: the source model's shape (\(source.config.layerCount) blocks, width \(source.config.embeddingSize)) differs from the patched model's (\(model.config.layerCount), \(model.config.embeddingSize))")
        }
        let layers = model.config.layerCount
        let points = Set((0..<layers).map(point))
        let (_, cache) = try source.runWithCache(TokenBatch(sequences: [clean]), points: points.contains)
        let cleanDifference = try logitDifference(source, clean, answer: answer, wrong: wrong)
        let corruptedDifference = try logitDifference(model, corrupted, answer: answer, wrong: wrong)
        var restored: [[Double]] = []
        for layer in 0..<layers {
            if shouldStop() { throw Interrupted("patch: stopped at layer \(layer) of \(layers)") }
            guard let source = cache[point(layer)] else { throw GPT2Error("patch: \(point(layer)) recorded nothing") }
            restored.append(try (0..<columns).map { column in
                let patched = try logitDifference(model, corrupted, answer: answer, wrong: wrong, edits: [point(layer): patch(source, column)])
                return normalise(patched, clean: cleanDifference, corrupted: corruptedDifference)
            })
        }
        return PatchingResult(rowLabels: (0..<layers).map { "block \($0)" }, columnLabels: columnLabels, restored: restored,
                              cleanDifference: cleanDifference, corruptedDifference: corruptedDifference)
    }

    static func normalise(_ patched: Double, clean: Double, corrupted: Double) -> Double {
        abs(clean - corrupted) < 1e-9 ? .nan : (patched - corrupted) / (clean - corrupted)
    }

    /// Activations of one can stand in for the other's: the same sizes everywhere (dropout may differ).
    static func sameShape(_ a: GPT2Config, _ b: GPT2Config) -> Bool {
        (a.vocabSize, a.contextLength, a.embeddingSize, a.layerCount, a.headCount, a.innerSize)
            == (b.vocabSize, b.contextLength, b.embeddingSize, b.layerCount, b.headCount, b.innerSize)
    }

    static func checkLengths(_ clean: [Int32], _ corrupted: [Int32]) throws {
        guard clean.count == corrupted.count, !clean.isEmpty else {
            throw GPT2Error("patch: the clean and corrupted prompts must have the same number of tokens (\(clean.count) and \(corrupted.count))")
        }
    }
}
