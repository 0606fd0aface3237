// DiffCommand.swift — `diff A B`: which tensors differ between two snapshots or models, and by how much,
// per block and parameter group, and (for models) how much each block's output changed on a text.
import Procedures
import Autograd
import Foundation
import GPT2

enum DiffCommand: Command {
    static let info = CommandInfo(
        name: "diff", abstract: "Compare two snapshots or loaded models tensor by tensor (max |Δ| and relative L2 change).",
        arguments: "A B", flags: [FlagInfo("top", value: "N", "show the N most changed tensors (default 10)"),
                                  FlagInfo("text", value: "TEXT", "also compare each block's outputs on TEXT (models only): 1 − cosine, mean over positions"),
                                  FlagInfo("probes", value: "SET", "also compare each block's outputs on every prompt of a probe set (register, questions, retain): the same, then the mean over prompts"),
                                  Plot.flag("the block × parameter-group map of relative change")],
        examples: ["diff before-sophon current", "diff gpt2-mini sophon", #"diff gpt2-mini gpt2-mini-elm --text "Sherlock Holmes took his hat." --plot diff.svg"#])

    /// Parameter groups of a block, in forward order (weight and bias together).
    static let groups = ["ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let plot = try Plot.destination(arguments, context)
        let a = try weights(try arguments.positional(0, "two snapshot or model names"), context)
        let b = try weights(try arguments.positional(1, "a second snapshot or model name"), context)
        let top = try arguments.int("top", default: 10)
        var rows: [(name: String, maxDelta: Double, relative: Double)] = []
        for (name, x) in a {
            guard let y = b[name] else { throw UsageError("diff: tensor \(name) is missing from the second argument") }
            guard x.count == y.count else { throw UsageError("diff: tensor \(name) has \(x.count) values vs \(y.count)") }
            var maxDelta = 0.0, delta2 = 0.0, norm2 = 0.0
            for i in 0..<x.count {
                let d = Double(y[i] - x[i])
                maxDelta = max(maxDelta, abs(d)); delta2 += d * d; norm2 += Double(x[i]) * Double(x[i])
            }
            rows.append((name, maxDelta, delta2.squareRoot() / max(norm2.squareRoot(), 1e-12)))
        }
        let changed = rows.filter { $0.maxDelta > 0 }.sorted { $0.relative > $1.relative }
        context.print("\(changed.count) of \(rows.count) tensors differ")
        for r in changed.prefix(max(0, top)) {
            context.print("  " + pad(r.name, 28) + String(format: " max|Δ| %.3e  ‖Δ‖/‖A‖ %.3e", r.maxDelta, r.relative))
        }
        try blockMap(a, b, plot: plot, context)
        if let text = arguments.string("text") {
            let ids = try context.session.tokenizer().encode(text)
            guard !ids.isEmpty else { throw UsageError("diff --text: the text has no tokens") }
            try outputChange([ids], arguments, context, what: { "on the text (\($0) tokens), 1 − cosine, mean over positions" }, key: "output_change")
        }
        if let setName = arguments.string("probes") {
            let file = try DataLayout.probes()
            guard let set = file.sets.first(where: { $0.name == setName }) else {
                throw UsageError("diff --probes: expected one of \(file.sets.map(\.name).joined(separator: ", ")), got \(setName)")
            }
            let tokenizer = try context.session.tokenizer()
            let prompts = set.probes.map { tokenizer.encode($0.prompt) }.filter { !$0.isEmpty }
            try outputChange(prompts, arguments, context,
                             what: { _ in "on the \(prompts.count) \(setName) probes' prompts, 1 − cosine, mean over positions, then over prompts" },
                             key: "probe_output_change")
        }
        context.set("changed", .int(changed.count))
        context.set("tensors", .array(changed.map { .object([("name", .string($0.name)), ("max_delta", .number($0.maxDelta)), ("relative", .number($0.relative))]) }))
    }

    private static func weights(_ name: String, _ context: CommandContext) throws -> [String: [Float]] {
        if name == "current" {
            let m = try context.session.model()
            return Dictionary(uniqueKeysWithValues: m.parameters.map { ($0.name, $0.tensor.data) })
        }
        if let s = context.session.snapshots[name] { return s.weights }
        if let m = context.session.models[name] { return Dictionary(uniqueKeysWithValues: m.parameters.map { ($0.name, $0.tensor.data) }) }
        throw UsageError("diff: no snapshot or model named \(name)")
    }

    /// Relative L2 change ‖B − A‖ / ‖A‖ of each block's parameter groups.
    private static func blockMap(_ a: [String: [Float]], _ b: [String: [Float]], plot: (path: String, shown: String)?, _ context: CommandContext) throws {
        let layers = (0...).prefix { a["h.\($0).ln_1.weight"] != nil }.count
        guard layers > 0 else { return }
        var values: [[Double]] = []
        for l in 0..<layers {
            values.append(groups.map { group in
                var delta2 = 0.0, norm2 = 0.0
                for suffix in [".weight", ".bias"] {
                    guard let x = a["h.\(l).\(group)\(suffix)"], let y = b["h.\(l).\(group)\(suffix)"], x.count == y.count else { continue }
                    for i in x.indices { let d = Double(y[i] - x[i]); delta2 += d * d; norm2 += Double(x[i]) * Double(x[i]) }
                }
                return delta2.squareRoot() / max(norm2.squareRoot(), 1e-12)
            })
        }
        let peak = values.joined().max() ?? 0
        let map = HeatMap(title: "Relative weight change ‖B − A‖ / ‖A‖ per block and parameter group",
                          rowLabels: (0..<layers).map { "block \($0)" }, columnLabels: groups, values: values, scale: 0...max(peak, 1e-12))
        context.print("relative change per block and parameter group:")
        for line in map.text() { context.print("  " + line.replacingOccurrences(of: "+", with: " ")) }
        context.set("groups", .array(groups.map { .string($0) }))
        context.set("block_change", .array(values.map { .array($0.map { .number($0) }) }))
        try Plot.write(map.svg(), to: plot, what: "heat map", context)
    }

    /// 1 − cosine between the two models' activations at each block's attention output, MLP output
    /// and residual stream, averaged over each prompt's positions, then over the prompts.
    private static func outputChange(_ prompts: [[Int32]], _ arguments: Arguments, _ context: CommandContext,
                                     what: (Int) -> String, key: String) throws {
        func model(_ index: Int) throws -> GPT2Model {
            let name = try arguments.positional(index, "a model name")
            if name == "current" { return try context.session.model() }
            guard let m = context.session.models[name] else { throw UsageError("diff --text: \(name) is a snapshot; output changes need two loaded models") }
            return m
        }
        let (a, b) = (try model(0), try model(1))
        guard a.config.layerCount == b.config.layerCount, a.config.embeddingSize == b.config.embeddingSize else {
            throw UsageError("diff --text: the two models differ in shape")
        }
        guard !prompts.isEmpty else { throw UsageError("diff: no prompt to compare the outputs on") }
        let hooks: [HookPoint.BlockHook] = [.attnOut, .mlpOut, .residPost]
        let wanted = Set((0..<a.config.layerCount).flatMap { l in hooks.map { HookPoint.block(l, $0) } })
        let width = a.config.embeddingSize
        var values = [[Double]](repeating: [Double](repeating: 0, count: hooks.count), count: a.config.layerCount)
        var lastCount = 0
        for prompt in prompts {
            let ids = Array(prompt.suffix(min(a.config.contextLength, b.config.contextLength)))
            lastCount = ids.count
            let (_, x) = try a.runWithCache(TokenBatch(sequences: [ids]), points: wanted.contains)
            let (_, y) = try b.runWithCache(TokenBatch(sequences: [ids]), points: wanted.contains)
            for l in 0..<a.config.layerCount {
                for (h, hook) in hooks.enumerated() {
                    guard let u = x[.block(l, hook)], let v = y[.block(l, hook)] else { throw UsageError("diff: a hook recorded nothing") }
                    var total = 0.0
                    for t in ids.indices {
                        var dot = 0.0, nu = 0.0, nv = 0.0
                        for j in 0..<width {
                            let (p, q) = (Double(u.data[t * width + j]), Double(v.data[t * width + j]))
                            dot += p * q; nu += p * p; nv += q * q
                        }
                        total += 1 - dot / max((nu * nv).squareRoot(), 1e-30)
                    }
                    values[l][h] += total / Double(ids.count) / Double(prompts.count)
                }
            }
        }
        let map = HeatMap(title: "Output change (1 − cosine)", rowLabels: (0..<values.count).map { "block \($0)" },
                          columnLabels: ["attn_out", "mlp_out", "resid_post"], values: values)
        context.print("output change \(what(lastCount)):")
        for line in map.text() { context.print("  " + line.replacingOccurrences(of: "+", with: " ")) }
        context.set(key, .array(values.map { .array($0.map { .number($0) }) }))
    }
}
