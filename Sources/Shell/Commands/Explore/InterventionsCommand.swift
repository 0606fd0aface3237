// InterventionsCommand.swift — `interventions`: list, undo or clear the current model's ablations and steering.
import Procedures
import GPT2

enum InterventionsCommand: Command {
    static let info = CommandInfo(
        name: "interventions",
        abstract: "List the current model's active ablations and steering vectors, or remove them.",
        flags: [FlagInfo("undo", "remove the most recent one"), FlagInfo("clear", "remove them all")],
        examples: ["interventions", "interventions --undo", "interventions --clear"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        if arguments.has("clear") {
            context.print("removed \(model.interventions.count) intervention(s)")
            model.interventions.removeAll()
        } else if arguments.has("undo") {
            guard let last = model.interventions.popLast() else { throw UsageError("interventions: nothing to undo on \(context.session.currentName ?? "this model")") }
            context.print("removed \(last.description)")
        }
        if model.interventions.isEmpty { context.print("no interventions on \(context.session.currentName ?? "the model")") }
        for (i, intervention) in model.interventions.enumerated() { context.print("  \(i + 1). \(intervention.description)") }
        context.set("interventions", .array(model.interventions.map { .string($0.description) }))
    }
}
