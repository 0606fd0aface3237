// SophonCalibrateCommand.swift — `sophon calibrate`: iteration 0, does the simulated attacker learn?
import Procedures

enum SophonCalibrateCommand: Command {
    static let info = CommandInfo(
        name: "sophon calibrate",
        abstract: "Measure iteration 0: each simulated attacker's query accuracy after K inner steps on the current (protected or not) model.",
        flags: [FlagInfo("batches", value: "N", "query batches to score each attacker on (default 8)")],
        examples: ["sophon config --inner-steps 25", "sophon calibrate"],
        discussion: "Starts the run on the current model if none is in progress (as `sophon step` would), and measures without training.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let trainer = try SophonSupport.trainer(context)
        let batches = try arguments.int("batches", default: 8)
        guard batches >= 1 else { throw UsageError("sophon calibrate: --batches must be at least 1") }
        let accuracies = try trainer.calibrate(queryBatches: batches)
        for (environment, accuracy) in zip(trainer.settings.environments, accuracies) {
            context.print("  \(environment.description): query accuracy \(String(format: "%.3f", accuracy)) after \(trainer.settings.innerSteps) steps (\(batches * trainer.settings.querySize) reviews)")
        }
        context.set("accuracy", .array(accuracies.map { .number($0) }))
    }
}
