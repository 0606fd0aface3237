// ELMPrepareCommand.swift — `elm prepare`: generate (once) and show the fluency data.
import Procedures

enum ELMPrepareCommand: Command {
    static let info = CommandInfo(name: "elm prepare", abstract: "Generate the fluency data (guided, deflecting continuations from the frozen model) and show some.",
                                  flags: [FlagInfo("show", value: "N", "continuations to print (default 3)")],
                                  examples: ["elm prepare"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let procedure = try ProcedureRuns.current(ELMProcedure.self, context)
        try procedure.prepare(report: { done, total in context.progress("generating", done: done, of: total) })
        context.endProgress()
        let tokenizer = try context.session.tokenizer()
        context.print("\(procedure.fluency.count) fluency continuations ready")
        for sample in procedure.fluency.prefix(max(0, try a.int("show", default: 3))) {
            let prompt = tokenizer.decode(Array(sample.prompt.suffix(24))).replacingOccurrences(of: "\n", with: " ")
            context.print("  …\(prompt) ⟶ \(tokenizer.decode(sample.continuation).replacingOccurrences(of: "\n", with: " "))")
        }
        context.set("samples", .int(procedure.fluency.count))
    }
}
