// WHPConfigCommand.swift — `whp config`: show or change WHP's settings.
import Procedures

enum WHPConfigCommand: Command {
    static let info = CommandInfo(
        name: "whp config", abstract: "Show or change WHP's settings (alpha, block length, both fine-tunes).",
        flags: [FlagInfo("alpha", value: "A", "v_generic = v_base − A·ReLU(v_reinforced − v_base) (default 5)"),
                FlagInfo("labels", value: "soft|hard", "final fine-tune toward softmax(v_generic) (soft, default) or its argmax (hard, the paper's)"),
                FlagInfo("penalty", value: "P", "logits subtracted from translations of anchors seen earlier in a block (default 20)"),
                FlagInfo("block-length", value: "T", "tokens per block (default 128)"),
                FlagInfo("blocks", value: "N", "target blocks to label (default 200)"),
                FlagInfo("reinforce-steps", value: "N", "reinforcement fine-tune steps (default 150)"),
                FlagInfo("reinforce-lr", value: "LR", "its learning rate (default 3e-4)"),
                FlagInfo("finetune-steps", value: "N", "final fine-tune steps (default 150)"),
                FlagInfo("finetune-lr", value: "LR", "its learning rate (default 1e-4)"),
                FlagInfo("batch", value: "B", "blocks per step in both fine-tunes (default 8)"),
                FlagInfo("dictionary", value: "PATH", "anchored terms (default \(WHPSupport.defaultDictionary))")],
        examples: ["whp config", "whp config --alpha 2 --finetune-steps 300"],
        discussion: "Soft labels (the default; a deviation from the paper) train toward the whole generic distribution: on a small model the argmax labels differ from the text at most positions and collapse the model into repetition. Changing alpha, the penalty or the block length discards labels already built; the learning rates of the paper (3e-6, 1e-6) change nothing on a small model.")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        var s = context.session.whp?.settings ?? context.session.whpSettings
        let before = s
        s.labels.alpha = try a.float("alpha", default: s.labels.alpha)
        s.labels.repeatPenalty = try a.float("penalty", default: s.labels.repeatPenalty)
        if let kind = a.string("labels") {
            guard kind == "soft" || kind == "hard" else { throw UsageError("whp config: --labels expects soft or hard, got \(kind)") }
            s.labels.soft = kind == "soft"
        }
        s.blockLength = try a.int("block-length", default: s.blockLength)
        s.blocks = try a.int("blocks", default: s.blocks)
        s.reinforceSteps = try a.int("reinforce-steps", default: s.reinforceSteps)
        s.reinforceLearningRate = try a.float("reinforce-lr", default: s.reinforceLearningRate)
        s.finetuneSteps = try a.int("finetune-steps", default: s.finetuneSteps)
        s.finetuneLearningRate = try a.float("finetune-lr", default: s.finetuneLearningRate)
        s.batchSize = try a.int("batch", default: s.batchSize)
        do { try s.validate() } catch { throw UsageError("\(error)") }
        if let path = a.string("dictionary") {
            guard context.session.whp == nil else { throw UsageError("whp config: the dictionary is fixed once WHP has started (`whp reset` first)") }
            context.session.whpDictionaryPath = path
        }
        if let running = context.session.whp {
            if s.blockLength != before.blockLength && running.reinforceStep + running.labelled.count > 0 {
                throw UsageError("whp config: --block-length is fixed once WHP has started (`whp reset` first)")
            }
            var labelsIgnoringKind = s.labels
            labelsIgnoringKind.soft = before.labels.soft   // hard or soft is a choice of loss: the built labels stay valid
            if labelsIgnoringKind != before.labels && !running.labelled.isEmpty {
                running.discardLabels()
                context.print("labels discarded (alpha or penalty changed); `whp labels` builds them again")
            }
            running.settings = s
        }
        context.session.whpSettings = s
        context.print(String(format: "alpha %g, %@ labels, repeat penalty %g, blocks of %d tokens (%d labelled)", s.labels.alpha,
                             s.labels.soft ? "soft" : "hard", s.labels.repeatPenalty, s.blockLength, s.blocks))
        context.print(String(format: "reinforce: %d steps at lr %g; final fine-tune: %d steps at lr %g; batch %d", s.reinforceSteps,
                             s.reinforceLearningRate, s.finetuneSteps, s.finetuneLearningRate, s.batchSize))
    }
}
