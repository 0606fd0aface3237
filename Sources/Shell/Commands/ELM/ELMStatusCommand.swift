// ELMStatusCommand.swift — `elm status` and `elm merge`.
import Procedures

enum ELMStatusCommand: Command {
    static let info = CommandInfo(name: "elm status", abstract: "Show ELM's position, settings and recent losses.", examples: ["elm status"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.elm else {
            context.print("no ELM run yet; `elm prepare` or `elm step` starts one on a copy of the current model")
            return
        }
        let p = running.procedure
        context.print("ELM model \(running.modelName): \(p.iteration) iterations, \(p.fluency.count) fluency continuations, adapters \(p.model.adapters == nil ? "merged" : "separate")")
        for (i, l) in p.log.enumerated().suffix(5) { context.print("  " + ELMSupport.line(i + 1, l)) }
        context.set("iteration", .int(p.iteration))
    }
}

enum ELMMergeCommand: Command {
    static let info = CommandInfo(name: "elm merge", abstract: "Fold the LoRA adapters into the weights (the ELM model becomes a plain GPT-2).",
                                  examples: ["elm merge"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.elm, running.procedure.model.adapters != nil else {
            throw UsageError("elm merge: no ELM adapters to merge")
        }
        running.procedure.merge()
        context.session.elm = nil
        context.print("merged the adapters into \(running.modelName) after \(running.procedure.iteration) iterations; the ELM run is closed")
    }
}
