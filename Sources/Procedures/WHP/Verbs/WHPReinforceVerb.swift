// WHPReinforceVerb.swift — `whp reinforce`: the reinforced model, kept in the session.
import GPT2

public enum WHPReinforceVerb: ProcedureVerb {
    public typealias Owner = WHPProcedure
    public static let verb = "reinforce"
    public static let abstract = "Fine-tune a copy of the baseline on the target text (the reinforced model)."
    public static let flags = [FlagInfo("name", value: "NAME", "session name of the reinforced model (default reinforced)")]
    public static let examples = ["whp reinforce"]
    public static let discussion: String? = "The baseline is untouched. Ctrl-C stops at the next step; `whp reinforce` again continues."

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let procedure = try context.run(WHPProcedure.self)
        let current = context.currentModelName
        let model = try procedure.reinforce(report: WHPProgress.reporter(context))
        context.endProgress()
        let name = a.string("name") ?? "reinforced"
        context.add(model, name: name)
        if let current { try context.use(current) }   // the baseline stays current
        context.print("reinforced model after \(procedure.reinforceStep) steps is in the session as \(name)")
        context.set("steps", .int(procedure.reinforceStep))
    }
}
