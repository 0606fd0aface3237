// SophonStepCommand.swift — `sophon step`: one outer iteration, then look at the model.
import Procedures

enum SophonStepCommand: Command {
    static let info = CommandInfo(
        name: "sophon step", abstract: "One SOPHON iteration on the current model: FTS (simulated fine-tunes) then NTR.",
        flags: [FlagInfo("restricted", value: "PATH", "restricted-task reviews for a new run (default \(DataLayout.shortTrainReviews))")],
        examples: ["sophon step"],
        discussion: "The current model is trained in place (take a `snapshot` first to compare). Ctrl-C undoes the iteration in progress.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let trainer = try ProcedureRuns.current(SophonTrainer.self, context) { settings in arguments.string("restricted").map { settings.restrictedData = $0 } }
        defer { context.endProgress() }
        switch try trainer.step(progress: { context.progress("sophon iteration \(trainer.iteration + 1)", done: $0, of: $1) }) {
        case .completed(let report):
            context.print(report.line)
            context.set("report", report.fields)
        case let .rolledBack(loss, limit):
            context.print(String(format: "guard: held-out original loss %.4f exceeded %.4f; the iteration was undone (model at iteration %d)", loss, limit, trainer.iteration))
            context.set("rolled_back", .bool(true))
        }
        context.set("iteration", .int(trainer.iteration))
    }
}
