// SteerCommand.swift — `steer HOOK --from A --to B`: add a difference of mean activations at a hook.
import Procedures
import GPT2

enum SteerCommand: Command {
    static let info = CommandInfo(
        name: "steer",
        abstract: "Add a steering vector at a hook of the current model: the mean activation over --to minus that over --from, times --scale.",
        arguments: "HOOK",
        flags: [FlagInfo("from", value: "TEXT", required: true, "the texts to steer away from (several separated by |)"),
                FlagInfo("to", value: "TEXT", required: true, "the texts to steer toward (several separated by |)"),
                FlagInfo("scale", value: "S", "multiplier of the vector (default 4)")],
        examples: [#"steer blocks.3.hook_resid_post --from "A novel." --to "A movie review." --scale 8"#, "interventions --undo"],
        discussion: """
        Activation addition (Turner et al. 2023): the vector is computed once, from the model as it is now, as the mean
        over the tokens of each --to text minus the mean over each --from text, averaged over the texts; it is then
        added at every position of every forward pass until `interventions --undo` or `--clear`.
        """)

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let name = try arguments.positional(0, "a hook name, e.g. blocks.3.hook_resid_post")
        guard let point = HookPoint(name, layers: model.config.layerCount), point.isWritable, let shape = model.tokenShape(at: point) else {
            throw UsageError("steer: \(name) is not a per-token hook (e.g. blocks.3.hook_resid_post)")
        }
        guard let from = arguments.string("from"), let to = arguments.string("to") else {
            throw UsageError("steer: --from TEXT and --to TEXT are required")
        }
        let scale = try arguments.float("scale", default: 4)
        let tokenizer = try context.session.tokenizer()
        func mean(_ texts: String) throws -> [Float] {
            let pieces = texts.split(separator: "|").map { tokenizer.encode(String($0)) }.filter { !$0.isEmpty }
            guard !pieces.isEmpty else { throw UsageError("steer: --from and --to need texts with tokens") }
            let means = try pieces.map { try model.meanActivation(at: point, tokens: $0) }
            return (0..<means[0].count).map { j in means.reduce(0) { $0 + $1[j] } / Float(means.count) }
        }
        let vector = zip(try mean(to), try mean(from)).map { $0 - $1 }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let intervention = try Intervention.steering(at: point, tokenShape: shape, vector: vector, scale: scale,
                                                     label: String(format: "steer ×%g toward \"%@\" from \"%@\" (norm %.3f)", scale, to, from, norm))
        model.interventions.append(intervention)
        context.print("\(context.session.currentName ?? "model"): \(intervention.description) (\(model.interventions.count) active; interventions --undo removes it)")
        context.set("intervention", .string(intervention.description))
        context.set("norm", .number(Double(norm)))
        context.set("active", .int(model.interventions.count))
    }
}
