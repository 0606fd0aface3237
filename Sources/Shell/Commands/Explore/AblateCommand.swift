// AblateCommand.swift — `ablate HOOK`: zero- or mean-ablate a head, a neuron or a hook's whole output.
import Procedures
import GPT2

enum AblateCommand: Command {
    static let info = CommandInfo(
        name: "ablate",
        abstract: "Ablate a head, a neuron or a whole hook output of the current model; every command then runs on the ablated model.",
        arguments: "HOOK",
        flags: [FlagInfo("head", value: "H", "only head H (attn.hook_q, hook_k, hook_v, hook_z)"),
                FlagInfo("index", value: "I", "only feature I of each position (a neuron of mlp.hook_post, a residual dimension)"),
                FlagInfo("mean", value: "TEXT", "replace by the mean activation over TEXT's positions instead of zeros")],
        examples: ["ablate blocks.2.attn.hook_z --head 1", "ablate blocks.3.mlp.hook_post --index 17 --mean \"It was a dark and stormy night.\"",
                   "interventions --undo"],
        discussion: """
        The ablation is a lasting edit at the hook point (TransformerLens' hooks made permanent): generation, scores,
        probes and fine-tuning attacks all run through it, until `interventions --undo` or `--clear` removes it.
        `info` lists what is active. Saving the model saves its weights only.
        """)

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let name = try arguments.positional(0, "a hook name, e.g. blocks.2.attn.hook_z")
        let layers = model.config.layerCount
        guard let point = HookPoint(name, layers: layers) else {
            throw UsageError("ablate: unknown hook \(name) (e.g. blocks.0.attn.hook_z, blocks.\(layers - 1).mlp.hook_post)")
        }
        guard point.isWritable, let shape = model.tokenShape(at: point) else {
            throw UsageError("ablate: \(point) holds no per-token activation to replace (ablate its attn.hook_z instead)")
        }
        let width = shape.reduce(1, *)
        var selected = [Bool](repeating: true, count: width)
        var what = "all of \(point)"
        if arguments.has("head") {
            let head = try arguments.int("head", default: 0)
            guard shape.count == 2 else { throw UsageError("ablate: --head needs a per-head hook (attn.hook_q, hook_k, hook_v, hook_z), not \(point)") }
            guard (0..<shape[0]).contains(head) else { throw UsageError("ablate: --head must be in 0..<\(shape[0]), got \(head)") }
            selected = (0..<width).map { $0 / shape[1] == head }
            what = "head \(head)"
        }
        if arguments.has("index") {
            guard !arguments.has("head") else { throw UsageError("ablate: give --head or --index, not both") }
            let index = try arguments.int("index", default: 0)
            guard (0..<width).contains(index) else { throw UsageError("ablate: --index must be in 0..<\(width) at \(point), got \(index)") }
            selected = (0..<width).map { $0 == index }
            what = "feature \(index)"
        }
        var replacement = [Float](repeating: 0, count: width)
        var how = "zero-ablate \(what)"
        if let text = arguments.string("mean") {
            let ids = try context.session.tokenizer().encode(text)
            guard !ids.isEmpty else { throw UsageError("ablate: the --mean text has no tokens") }
            replacement = try model.meanActivation(at: point, tokens: ids)
            how = "mean-ablate \(what) (the mean over \(ids.count) tokens)"
        }
        let intervention = try Intervention.ablation(at: point, tokenShape: shape, selected: selected, replacement: replacement, label: how)
        model.interventions.append(intervention)
        context.print("\(context.session.currentName ?? "model"): \(intervention.description) (\(model.interventions.count) active; interventions --undo removes it)")
        context.set("intervention", .string(intervention.description))
        context.set("active", .int(model.interventions.count))
    }
}
