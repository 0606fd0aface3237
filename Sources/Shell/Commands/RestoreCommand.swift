// RestoreCommand.swift — `restore NAME`: put a snapshot's weights back into the current model.
import Procedures

enum RestoreCommand: Command {
    static let info = CommandInfo(name: "restore", abstract: "Copy a snapshot's weights back into the current model.",
                                  arguments: "NAME", examples: ["restore before-sophon"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let name = try arguments.positional(0, "a snapshot name")
        guard let snapshot = context.session.snapshots[name] else {
            throw UsageError("restore: no snapshot \(name) (have: \(context.session.snapshots.keys.sorted().joined(separator: ", ")))")
        }
        let model = try context.session.model()
        // Check everything first, so a mismatch changes nothing.
        for p in model.parameters {
            guard let values = snapshot.weights[p.name], values.count == p.tensor.count else {
                throw UsageError("restore: snapshot \(name) does not fit this model (tensor \(p.name))")
            }
        }
        for p in model.parameters { p.tensor.data = snapshot.weights[p.name] ?? p.tensor.data }
        model.history.append("restored snapshot \(name)")
        context.print("restored \(name) into \(context.session.currentName ?? "?")")
        // A run training this model keeps its optimizer state and position: the weights alone went back.
        for (procedure, run) in context.session.runs.sorted(by: { $0.key < $1.key }) where run.modelName == context.session.currentName && type(of: run.procedure).trainsInPlace {
            context.print("note: the \(procedure) run on \(run.modelName) keeps its optimizer state and position (\(run.procedure.position)); `\(procedure) reset` starts afresh")
        }
        context.set("restored", .string(name))
    }
}
