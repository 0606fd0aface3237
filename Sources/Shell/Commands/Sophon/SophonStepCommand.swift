// SophonStepCommand.swift — `sophon step`: one outer iteration, then look at the model.
import Procedures

enum SophonStepCommand: Command {
    static let info = CommandInfo(
        name: "sophon step", abstract: "One SOPHON iteration on the current model: FTS (simulated fine-tunes) then NTR.",
        flags: [FlagInfo("restricted", value: "PATH", "restricted-task reviews for a new run (default \(SophonSupport.defaultRestricted))")],
        examples: ["sophon step"],
        discussion: "The current model is trained in place (take a `snapshot` first to compare). Ctrl-C undoes the iteration in progress.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let trainer = try SophonSupport.trainer(context, restrictedPath: arguments.string("restricted"))
        defer { context.endProgress() }
        switch try trainer.step(progress: { context.progress("sophon iteration \(trainer.iteration + 1)", done: $0, of: $1) }) {
        case .completed(let report):
            context.print(SophonSupport.line(report))
            context.set("report", SophonSupport.json(report))
        case let .rolledBack(loss, limit):
            context.print(String(format: "guard: held-out original loss %.4f exceeded %.4f; the iteration was undone (model at iteration %d)", loss, limit, trainer.iteration))
            context.set("rolled_back", .bool(true))
        }
        context.set("iteration", .int(trainer.iteration))
    }
}
