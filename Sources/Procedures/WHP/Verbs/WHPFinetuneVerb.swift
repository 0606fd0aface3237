// WHPFinetuneVerb.swift — `whp finetune`: the baseline fine-tuned on the generic labels.
import GPT2

public enum WHPFinetuneVerb: ProcedureVerb {
    public typealias Owner = WHPProcedure
    public static let verb = "finetune"
    public static let abstract = "Fine-tune a copy of the baseline on the generic labels (the unlearned model)."
    public static let flags = [FlagInfo("name", value: "NAME", "session name of the unlearned model (default whp); it becomes current"),
                               FlagInfo.plot("the training loss of this call's steps")]
    public static let examples = ["whp finetune"]
    public static let discussion: String? = "Ctrl-C stops at the next step; `whp finetune` again continues (raise --finetune-steps with `whp config` to go further)."

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let plot = try context.figureDestination(a)
        let procedure = try context.run(WHPProcedure.self)
        let show = WHPProgress.reporter(context)
        var losses: [(x: Double, y: Double)] = []
        func figure() -> ProcedureFigure {
            ProcedureFigure(title: "WHP: fine-tuning on generic labels (alpha \(procedure.settings.labels.alpha))", xLabel: "step", yLabel: "loss (nats)",
                            series: [(procedure.settings.labels.soft ? "KL to the soft generic labels" : "cross-entropy to the hard generic labels", losses)])
        }
        let model: GPT2Model
        do {
            model = try procedure.finetune(report: { event in
                if case let .step(_, step, _, loss) = event { losses.append((Double(step), Double(loss))) }
                show(event)
            })
        } catch let stop as Interrupted {
            try context.write(figure(), to: plot, what: "loss curve")   // the steps taken before the stop
            throw stop
        }
        context.endProgress()
        let name = a.string("name") ?? "whp"
        context.add(model, name: name)
        context.print("unlearned model after \(procedure.finetuneStep) steps is in the session as \(name) (now current)")
        context.set("steps", .int(procedure.finetuneStep))
        try context.write(figure(), to: plot, what: "loss curve")
    }
}
