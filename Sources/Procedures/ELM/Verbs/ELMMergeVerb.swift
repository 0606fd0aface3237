// ELMMergeVerb.swift — `elm merge`: fold the adapters in and close the run.
import GPT2

public enum ELMMergeVerb: ProcedureVerb {
    public typealias Owner = ELMProcedure
    public static let verb = "merge"
    public static let abstract = "Fold the LoRA adapters into the weights (the ELM model becomes a plain GPT-2)."
    public static let examples = ["elm merge"]

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        guard let running = context.runInProgress(ELMProcedure.self), running.procedure.model.adapters != nil else {
            throw UsageError("elm merge: no ELM adapters to merge")
        }
        running.procedure.merge()
        context.closeRun(ELMProcedure.self)
        context.print("merged the adapters into \(running.modelName) after \(running.procedure.iteration) iterations; the ELM run is closed")
    }
}
