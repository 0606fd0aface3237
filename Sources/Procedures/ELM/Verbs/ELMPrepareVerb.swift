// ELMPrepareVerb.swift — `elm prepare`: generate (once) and show the fluency data.
import GPT2

public enum ELMPrepareVerb: ProcedureVerb {
    public typealias Owner = ELMProcedure
    public static let verb = "prepare"
    public static let abstract = "Generate the fluency data (guided, deflecting continuations from the frozen model) and show some."
    public static let flags = [FlagInfo("show", value: "N", "continuations to print (default 3)")]
    public static let examples = ["elm prepare"]

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let procedure = try context.run(ELMProcedure.self)
        try procedure.prepare(report: { done, total in context.progress("generating", done: done, of: total, detail: "") })
        context.endProgress()
        let tokenizer = try context.tokenizer()
        context.print("\(procedure.fluency.count) fluency continuations ready")
        for sample in procedure.fluency.prefix(max(0, try a.int("show", default: 3))) {
            let prompt = tokenizer.decode(Array(sample.prompt.suffix(24))).replacingOccurrences(of: "\n", with: " ")
            context.print("  …\(prompt) ⟶ \(tokenizer.decode(sample.continuation).replacingOccurrences(of: "\n", with: " "))")
        }
        context.set("samples", .int(procedure.fluency.count))
    }
}
