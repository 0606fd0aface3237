// WHPStatusCommand.swift — `whp status`.
enum WHPStatusCommand: Command {
    static let info = CommandInfo(name: "whp status", abstract: "Show how far WHP's three moves have gone.", examples: ["whp status"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        guard let p = context.session.whp else {
            context.print("no WHP run yet; `whp anchors`, `whp translate` or `whp reinforce` starts one on the current model")
            return
        }
        let s = p.settings
        context.print("reinforce \(p.reinforceStep)/\(s.reinforceSteps) steps; labels \(p.labelled.count)/\(min(s.blocks, p.blockCount)) blocks; finetune \(p.finetuneStep)/\(s.finetuneSteps) steps")
        context.print(String(format: "alpha %g, penalty %g, blocks of %d tokens, lr %g / %g, batch %d", s.labels.alpha, s.labels.repeatPenalty,
                             s.blockLength, s.reinforceLearningRate, s.finetuneLearningRate, s.batchSize))
        context.set("reinforce_steps", .int(p.reinforceStep))
        context.set("labelled_blocks", .int(p.labelled.count))
        context.set("finetune_steps", .int(p.finetuneStep))
    }
}
