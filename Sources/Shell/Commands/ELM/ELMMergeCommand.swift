// ELMMergeCommand.swift — `elm merge`: fold the adapters in and close the run.
import Procedures

enum ELMMergeCommand: Command {
    static let info = CommandInfo(name: "elm merge", abstract: "Fold the LoRA adapters into the weights (the ELM model becomes a plain GPT-2).",
                                  examples: ["elm merge"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.run(ELMProcedure.self), running.procedure.model.adapters != nil else {
            throw UsageError("elm merge: no ELM adapters to merge")
        }
        running.procedure.merge()
        context.session.setRun(ELMProcedure.self, nil)
        context.print("merged the adapters into \(running.modelName) after \(running.procedure.iteration) iterations; the ELM run is closed")
    }
}
