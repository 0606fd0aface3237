// ProbeSetPatching.swift — patching another model's activations into the current one over a whole
// probe set, not one prompt: where, across 28 register probes, does the unlearned model lose what
// the original knew? Positions are counted from each prompt's end, so prompts of any length align.
import Autograd
import Foundation
import GPT2

/// One probe as patching scores it: the prompt's tokens and the answer token whose log-probability
/// at the last position is the metric (the first token of the probe's first expected answer).
public struct PatchProbe: Sendable {
    public let prompt: [Int32]
    public let answer: Int32
    public init(prompt: [Int32], answer: Int32) { self.prompt = prompt; self.answer = answer }
}

public struct ProbeSetPatchingResult: Sendable {
    public let rowLabels: [String]      // layers
    public let columnLabels: [String]   // positions from the end (`-3`, …, `-1`), then `all`
    /// `[row][column]`: Σ(patched − current) / Σ(source − current) of the answer's log-probability
    /// over the probes long enough for the column, with a 95% bootstrap interval over probes.
    public let restored: [[Estimate]]
    /// Mean log-probability of the answers under the source model and under the current model.
    public let sourceLogProbability: Double
    public let modelLogProbability: Double
    public let probeCount: Int
}

extension ActivationPatching {
    /// For every layer's `point(layer)` and every column (one of the last `lastPositions` positions,
    /// or all positions at once), the current `model` runs each probe with that activation taken from
    /// `source` (of the same shape) on the same prompt.
    public static func probeSet(model: GPT2Model, source: GPT2Model, probes: [PatchProbe], point: @escaping (Int) -> HookPoint,
                                lastPositions: Int, seed: UInt64 = 0, shouldStop: () -> Bool = { Interrupt.isRequested },
                                progress: (Int, Int) -> Void = { _, _ in }) throws -> ProbeSetPatchingResult {
        guard sameShape(source.config, model.config) else {
            throw GPT2Error("patch: the source model's shape (\(source.config.layerCount) blocks, width \(source.config.embeddingSize)) differs from the patched model's (\(model.config.layerCount), \(model.config.embeddingSize))")
        }
        guard !probes.isEmpty else { throw GPT2Error("patch: no probes to patch over") }
        if let bad = probes.first(where: { !(0..<Int32(model.config.vocabSize)).contains($0.answer) }) {
            throw GPT2Error("patch: answer token \(bad.answer) is outside the vocabulary of \(model.config.vocabSize)")
        }
        if let bad = probes.first(where: { $0.prompt.isEmpty || $0.prompt.count > model.config.contextLength }) {
            throw GPT2Error("patch: a probe has \(bad.prompt.count) tokens; every probe needs 1 to \(model.config.contextLength)")
        }
        guard lastPositions >= 0 else { throw GPT2Error("patch: --last must be at least 0") }
        let layers = model.config.layerCount, columns = lastPositions + 1
        let points = Set((0..<layers).map(point))
        // numerators[row][column][probe] (nil where the probe is too short for the column); denominators[probe].
        var numerators = [[[Double?]]](repeating: [[Double?]](repeating: [], count: columns), count: layers)
        var denominators: [Double] = []
        var sourceTotal = 0.0, modelTotal = 0.0
        for (index, probe) in probes.enumerated() {
            if shouldStop() { throw Interrupted("patch: stopped at probe \(index + 1) of \(probes.count)") }
            progress(index, probes.count)
            let (_, cache) = try source.runWithCache(TokenBatch(sequences: [probe.prompt]), points: points.contains)
            let clean = try answerLogProbability(source, probe)
            let current = try answerLogProbability(model, probe)
            sourceTotal += clean; modelTotal += current
            denominators.append(clean - current)
            for layer in 0..<layers {
                guard let activation = cache[point(layer)] else { throw GPT2Error("patch: \(point(layer)) recorded nothing") }
                let width = activation.count / probe.prompt.count   // one position's values ([1, pos, …])
                for column in 0..<columns {
                    let isAll = column == lastPositions
                    let position = probe.prompt.count - (lastPositions - column)   // column c is position −(lastPositions − c)
                    guard isAll || position >= 0 else { numerators[layer][column].append(nil); continue }
                    let edit: (Tensor) -> Tensor = isAll ? { _ in activation } : { x in
                        var data = x.data
                        for j in 0..<width { data[position * width + j] = activation.data[position * width + j] }
                        return Tensor(shape: x.shape, data: data)
                    }
                    numerators[layer][column].append(try answerLogProbability(model, probe, edits: [point(layer): edit]) - current)
                }
            }
        }
        progress(probes.count, probes.count)
        let restored = numerators.map { row in
            row.map { cells -> Estimate in
                let kept = cells.indices.filter { cells[$0] != nil }
                return Intervals.bootstrapRatioOfSums(numerators: kept.map { cells[$0] ?? 0 }, denominators: kept.map { denominators[$0] }, seed: seed)
            }
        }
        return ProbeSetPatchingResult(rowLabels: (0..<layers).map { "block \($0)" },
                                      columnLabels: (0..<lastPositions).map { "\($0 - lastPositions)" } + ["all"],
                                      restored: restored, sourceLogProbability: sourceTotal / Double(probes.count),
                                      modelLogProbability: modelTotal / Double(probes.count), probeCount: probes.count)
    }

    /// log p(answer | prompt) at the prompt's last position.
    static func answerLogProbability(_ model: GPT2Model, _ probe: PatchProbe, edits: [HookPoint: (Tensor) -> Tensor] = [:]) throws -> Double {
        let (logits, _) = try model.runWithCache(TokenBatch(sequences: [probe.prompt]), points: { _ in false }, edits: edits)   // [1, pos, vocab]
        let vocab = model.config.vocabSize, row = (probe.prompt.count - 1) * vocab
        return logits.data.withUnsafeBufferPointer { all in
            let last = UnsafeBufferPointer(rebasing: all[row..<(row + vocab)])
            let top = last.max() ?? 0
            var sum = 0.0
            for value in last { sum += exp(Double(value - top)) }
            return Double(last[Int(probe.answer)] - top) - log(sum)
        }
    }
}
