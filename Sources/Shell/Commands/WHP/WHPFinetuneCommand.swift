// WHPFinetuneCommand.swift — `whp finetune`: the baseline fine-tuned on the generic labels.
import Procedures

enum WHPFinetuneCommand: Command {
    static let info = CommandInfo(name: "whp finetune", abstract: "Fine-tune a copy of the baseline on the generic labels (the unlearned model).",
                                  flags: [FlagInfo("name", value: "NAME", "session name of the unlearned model (default whp); it becomes current")],
                                  examples: ["whp finetune"],
                                  discussion: "Ctrl-C stops at the next step; `whp finetune` again continues (raise --finetune-steps with `whp config` to go further).")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let procedure = try WHPSupport.procedure(context)
        let model = try procedure.finetune(report: WHPSupport.reporter(context))
        context.endProgress()
        let name = a.string("name") ?? "whp"
        context.session.add(model, name: name)
        context.print("unlearned model after \(procedure.finetuneStep) steps is in the session as \(name) (now current)")
        context.set("steps", .int(procedure.finetuneStep))
    }
}
