// WHPConfigCommand.swift — `whp config`: show or change WHP's settings.
import Procedures

enum WHPConfigCommand: Command {
    static let info = CommandInfo(
        name: "whp config", abstract: "Show or change WHP's settings (alpha, block length, both fine-tunes).",
        flags: WHPSettings.flags.flagInfos(),
        examples: ["whp config", "whp config --alpha 2 --finetune-steps 300"],
        discussion: "Soft labels (the default; a deviation from the paper) train toward the whole generic distribution: on a small model the argmax labels differ from the text at most positions and collapse the model into repetition. Changing alpha, the penalty or the block length discards labels already built; the learning rates of the paper (3e-6, 1e-6) change nothing on a small model.")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        var s = context.session.whp?.settings ?? context.session.whpSettings
        try WHPSettings.flags.apply(a, to: &s)
        do {
            try s.validate()
            if try context.session.whp?.update(s) == true {
                context.print("labels discarded (alpha or penalty changed); `whp labels` builds them again")
            }
        } catch let error as SettingError { throw UsageError("whp config: \(error.description)") }
        catch { throw UsageError("\(error)") }
        context.session.whpSettings = s
        context.print(String(format: "alpha %g, %@ labels, repeat penalty %g, blocks of %d tokens (%d labelled)", s.labels.alpha,
                             s.labels.soft ? "soft" : "hard", s.labels.repeatPenalty, s.blockLength, s.blocks))
        context.print(String(format: "reinforce: %d steps at lr %g; final fine-tune: %d steps at lr %g; batch %d", s.reinforceSteps,
                             s.reinforceLearningRate, s.finetuneSteps, s.finetuneLearningRate, s.batchSize))
    }
}
