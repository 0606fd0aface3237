// WHPReinforceCommand.swift — `whp reinforce`: the reinforced model, kept in the session.
import Foundation
import Procedures

enum WHPReinforceCommand: Command {
    static let info = CommandInfo(name: "whp reinforce", abstract: "Fine-tune a copy of the baseline on the target text (the reinforced model).",
                                  flags: [FlagInfo("name", value: "NAME", "session name of the reinforced model (default reinforced)")],
                                  examples: ["whp reinforce"],
                                  discussion: "The baseline is untouched. Ctrl-C stops at the next step; `whp reinforce` again continues.")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let procedure = try ProcedureRuns.current(WHPProcedure.self, context)
        let current = context.session.currentName
        let model = try procedure.reinforce(report: WHPSupport.reporter(context))
        context.endProgress()
        let name = a.string("name") ?? "reinforced"
        context.session.add(model, name: name)
        if let current { try context.session.use(current) }   // the baseline stays current
        context.print("reinforced model after \(procedure.reinforceStep) steps is in the session as \(name)")
        context.set("steps", .int(procedure.reinforceStep))
    }
}
