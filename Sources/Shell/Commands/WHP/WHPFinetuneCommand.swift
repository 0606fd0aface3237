// WHPFinetuneCommand.swift — `whp finetune`: the baseline fine-tuned on the generic labels.
import GPT2
import Procedures

enum WHPFinetuneCommand: Command {
    static let info = CommandInfo(name: "whp finetune", abstract: "Fine-tune a copy of the baseline on the generic labels (the unlearned model).",
                                  flags: [FlagInfo("name", value: "NAME", "session name of the unlearned model (default whp); it becomes current"),
                                          Plot.flag("the training loss of this call's steps")],
                                  examples: ["whp finetune"],
                                  discussion: "Ctrl-C stops at the next step; `whp finetune` again continues (raise --finetune-steps with `whp config` to go further).")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let plot = try Plot.destination(a, context)
        let procedure = try ProcedureRuns.current(WHPProcedure.self, context)
        let show = WHPSupport.reporter(context)
        var losses: [(x: Double, y: Double)] = []
        func figure() -> String {
            CurveChart.svg([CurveSeries(label: procedure.settings.labels.soft ? "KL to the soft generic labels" : "cross-entropy to the hard generic labels", points: losses)],
                           title: "WHP: fine-tuning on generic labels (alpha \(procedure.settings.labels.alpha))", xLabel: "step", yLabel: "loss (nats)")
        }
        let model: GPT2Model
        do {
            model = try procedure.finetune(report: { event in
                if case let .step(_, step, _, loss) = event { losses.append((Double(step), Double(loss))) }
                show(event)
            })
        } catch let stop as Interrupted {
            try Plot.write(figure(), to: plot, what: "loss curve", context)   // the steps taken before the stop
            throw stop
        }
        context.endProgress()
        let name = a.string("name") ?? "whp"
        context.session.add(model, name: name)
        context.print("unlearned model after \(procedure.finetuneStep) steps is in the session as \(name) (now current)")
        context.set("steps", .int(procedure.finetuneStep))
        try Plot.write(figure(), to: plot, what: "loss curve", context)
    }
}
