// InfoCommand.swift — `info`: the current model's config, size, memory, history and the procedure
// runs in progress on it.
import Procedures
import GPT2

enum InfoCommand: Command {
    static let info = CommandInfo(name: "info", abstract: "Show the current model: config, parameters, memory, what was done to it.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let c = model.config
        let megabytes = Double(c.parameterCount * 4) / 1_048_576
        context.print("model \(context.session.currentName ?? "?")")
        context.print("  layers \(c.layerCount), width \(c.embeddingSize), heads \(c.headCount) (size \(c.headSize)), MLP \(c.innerSize)")
        context.print("  vocabulary \(c.vocabSize), context \(c.contextLength)")
        context.print("  parameters \(c.parameterCount) (\(formatCount(c.parameterCount))), weights \(String(format: "%.1f", megabytes)) MB")
        context.print("  dropout: embedding \(c.embeddingDropout), residual \(c.residualDropout), attention \(c.attentionDropout)")
        if !model.interventions.isEmpty {
            context.print("interventions (every forward pass runs through them; interventions --undo/--clear):")
            for i in model.interventions { context.print("  - \(i.description)") }
        }
        if !model.history.isEmpty {
            context.print("history:")
            for h in model.history { context.print("  - \(h)") }
        }
        // A run in progress enters the history when it is saved or merged; until then it is told here.
        let name = context.session.currentName
        let running = context.session.runs.sorted { $0.key < $1.key }.filter { $0.value.modelName == name }
            .map { "\(type(of: $0.value.procedure).title) \($0.value.procedure.position)" }
        if !running.isEmpty {
            context.print("in progress on it:")
            for line in running { context.print("  - \(line)") }
        }
        context.set("layers", .int(c.layerCount))
        context.set("width", .int(c.embeddingSize))
        context.set("heads", .int(c.headCount))
        context.set("vocabulary", .int(c.vocabSize))
        context.set("context", .int(c.contextLength))
        context.set("parameters", .int(c.parameterCount))
        context.set("history", .array(model.history.map { .string($0) }))
        context.set("interventions", .array(model.interventions.map { .string($0.description) }))
        context.set("in_progress", .array(running.map { .string($0) }))
    }
}
