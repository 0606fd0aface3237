// ActivationsCommand.swift — `activations TEXT --hook NAME`: statistics of any hook point, optionally saved.
import Procedures
import Foundation
import GPT2

enum ActivationsCommand: Command {
    static let info = CommandInfo(
        name: "activations", abstract: "Norms and statistics of a hook point (TransformerLens names), optionally saved to HDF5.",
        arguments: "TEXT",
        flags: [FlagInfo("hook", value: "NAME", required: true, "e.g. blocks.3.hook_resid_post, blocks.0.mlp.hook_post, ln_final.hook_normalized"),
                FlagInfo("save", value: "FILE", "write the activation to an HDF5 file (dataset named after the hook)")],
        examples: [#"activations "Holmes smiled" --hook blocks.2.hook_resid_post"#])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let text = try arguments.text("a text")
        let model = try context.session.model()
        guard let hook = try arguments.hookPoint("hook", layers: model.config.layerCount, for: "activations") else {
            let names = HookPoint.all(layers: model.config.layerCount).map(\.description)
            throw UsageError("activations: --hook NAME is required (e.g. \(names.prefix(4).joined(separator: ", ")), …)")
        }
        let tokenizer = try context.session.tokenizer()
        let ids = Array(tokenizer.encode(text).suffix(model.config.contextLength))
        guard !ids.isEmpty else { throw UsageError("activations: the text has no tokens") }
        let (_, cache) = try model.runWithCache(TokenBatch(sequences: [ids])) { $0 == hook }
        guard let value = cache[hook] else { throw UsageError("activations: hook \(hook) recorded nothing") }
        let data = value.data.map(Double.init)
        let mean = data.reduce(0, +) / Double(data.count)
        let std = (data.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(data.count)).squareRoot()
        context.print("\(hook) shape \(value.shape): mean \(fmt(mean)), std \(fmt(std)), min \(fmt(data.min() ?? 0)), max \(fmt(data.max() ?? 0))")
        var norms: [Double] = []
        if value.rank == 3 {
            let (positions, width) = (value.shape[1], value.shape[2])
            for t in 0..<positions {
                let row = data[(t * width)..<((t + 1) * width)]
                norms.append(row.reduce(0) { $0 + $1 * $1 }.squareRoot())
            }
            context.print("L2 norm per position:")
            for (t, n) in norms.enumerated() {
                context.print(String(format: "  %3d ", t) + pad("[" + visible(tokenizer.tokenText(ids[t])) + "]", 14) + String(format: " %9.3f", n))
            }
        }
        if let path = arguments.string("save") {
            try TensorFile.write([(name: hook.description, shape: value.shape, values: value.data)], to: try context.session.writablePath(path, for: "activations --save"))
            context.print("saved \(hook) to \(path)")
        }
        context.set("hook", .string(hook.description))
        context.set("shape", .ints(value.shape))
        context.set("mean", .number(mean))
        context.set("std", .number(std))
        context.set("norms", .array(norms.map { .number($0) }))
    }
}

func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
