// PatchProbesMode.swift — `patch --from MODEL --probes SET`: patching over a whole probe set, each
// probe's answer log-probability as the metric, positions counted from each prompt's end.
import Foundation
import GPT2
import Procedures

/// `patch --probes`'s flags, read by `patch` where they are declared.
struct ProbePatchRequest {
    let set: String
    let source: String?
    let file: String?
    let last: Int
    let hook: String
    let plot: String?
}

extension PatchCommand {
    static func runOverProbes(_ request: ProbePatchRequest, _ context: CommandContext) throws {
        let setName = request.set
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        guard let sourceName = request.source else {
            throw UsageError("patch: --probes patches another model into the current one; give --from MODEL")
        }
        let source = try context.session.model(named: sourceName, for: "patch --from")
        let file = try ProbeSets(path: DataPaths.resolve(request.file ?? DataLayout.completionProbes))
        guard let set = file.sets.first(where: { $0.name == setName }) else {
            throw UsageError("patch: --probes expects one of \(file.sets.map(\.name).joined(separator: ", ")), got \(setName)")
        }
        let last = request.last
        guard (0...16).contains(last) else { throw UsageError("patch: --last expects 0 to 16 positions, got \(last)") }
        let kind = request.hook
        let hook: HookPoint.BlockHook
        switch kind {
        case "resid_pre": hook = .residPre
        case "attn_out": hook = .attnOut
        case "mlp_out": hook = .mlpOut
        default: throw UsageError("patch: --probes patches resid_pre, attn_out or mlp_out, got --hook \(kind)")
        }
        // Each probe's answer is its first expected answer's first token, after a space (as `probes` scores it).
        let probes = set.probes.compactMap { probe -> PatchProbe? in
            guard let answer = tokenizer.encode(" " + probe.expected[0]).first else { return nil }
            return PatchProbe(prompt: tokenizer.encode(probe.prompt), answer: answer)
        }
        let result = try ActivationPatching.probeSet(model: model, source: source, probes: probes, point: { .block($0, hook) }, lastPositions: last,
                                                     progress: { context.progress("patching \(set.name) probes", done: $0, of: $1) })
        context.endProgress()
        let current = context.session.currentName ?? "current"
        context.print(String(format: "%d %@ probes: mean log-probability of the answer's first token %.3f in %@, %.3f in %@; cells: share of the difference restored by patching %@'s hook_%@ (Σ over probes, positions from the prompt's end)",
                             result.probeCount, set.name, result.sourceLogProbability, sourceName, result.modelLogProbability, current, sourceName, kind))
        let values = result.restored.map { $0.map(\.value) }
        let map = HeatMap(title: "Patching \(sourceName)'s \(kind) into \(current), over \(result.probeCount) \(set.name) probes: share restored",
                          rowLabels: result.rowLabels, columnLabels: result.columnLabels, values: values)
        for line in map.text() { context.print(line) }
        // The strongest component at one position (a late residual stream restores everything trivially,
        // so only for attention and MLP outputs), and every position at once, each with its interval.
        if hook != .residPre, let best = bestCell(result, columns: 0..<last) {
            context.print("strongest single position: \(result.rowLabels[best.row]) at \(result.columnLabels[best.column]): \(shown(result.restored[best.row][best.column]))")
        }
        for (row, label) in result.rowLabels.enumerated() where last < result.columnLabels.count {
            context.print("  \(label), every position: \(shown(result.restored[row][last]))")
        }
        if let plot = request.plot {
            try context.writeFigure(map.svg(), to: try context.session.writablePath(plot, for: "patch --plot"), shown: plot, what: "heat map")
        }
        context.set("probes", .int(result.probeCount))
        context.set("source_log_probability", .number(result.sourceLogProbability))
        context.set("model_log_probability", .number(result.modelLogProbability))
        context.set("rows", .array(result.rowLabels.map { .string($0) }))
        context.set("columns", .array(result.columnLabels.map { .string($0) }))
        context.set("restored", .array(values.map { .array($0.map { .number($0) }) }))
        context.set("lower", .array(result.restored.map { .array($0.map { .number($0.lower) }) }))
        context.set("upper", .array(result.restored.map { .array($0.map { .number($0.upper) }) }))
    }

    /// A share with its interval, or without one when the difference it shares out is not distinguishable from zero.
    static func shown(_ share: Estimate) -> String {
        share.lower.isNaN ? String(format: "%.3f (no interval: the two models' difference is not distinguishable from zero)", share.value) : share.description
    }

    static func bestCell(_ result: ProbeSetPatchingResult, columns: Range<Int>) -> (row: Int, column: Int)? {
        var best: (row: Int, column: Int, value: Double)?
        for (r, row) in result.restored.enumerated() {
            for c in columns where row[c].value.isFinite && row[c].value > (best?.value ?? -.infinity) { best = (r, c, row[c].value) }
        }
        return best.map { ($0.row, $0.column) }
    }
}
