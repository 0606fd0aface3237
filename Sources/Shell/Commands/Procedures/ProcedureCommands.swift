// ProcedureCommands.swift — the commands every procedure has, generated from its declaration
// (`Procedure`): `NAME config` (flags, usage and parsing from its SettingFlags) and `NAME reset`.
import Foundation
import Procedures

/// `NAME config`: show or change the settings; on a run in progress the procedure decides what may change.
enum ProcedureConfigCommand<P: Procedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) config", abstract: P.configHelp.abstract, flags: P.Settings.flags.flagInfos(),
                    examples: P.configHelp.examples, discussion: P.configHelp.discussion)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let session = context.session
        let running = session.run(P.self)?.procedure
        var settings = running?.settings ?? session.settings(for: P.self)
        try P.Settings.flags.apply(arguments, to: &settings)
        let notes: [String]
        do {
            try settings.validate()
            notes = try running?.apply(settings) ?? []
        }
        catch let error as SettingError { throw UsageError("\(P.name) config: \(error.description)") }
        catch { throw UsageError("\(error)") }
        session.setSettings(settings, for: P.self)
        for line in notes + P.describe(settings) { context.print(line) }
        context.set("settings", .string(String(decoding: (try? JSONEncoder().encode(settings)) ?? Data(), as: UTF8.self)))
    }
}

/// `NAME reset`: forget the run in progress (its models stay in the session, its settings are kept).
enum ProcedureResetCommand<P: Procedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) reset", abstract: "Forget the \(P.title) run in progress (the models it made stay in the session; settings are kept).",
                    examples: ["\(P.name) reset"])
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.run(P.self) else {
            context.print("no \(P.title) run to forget")
            return
        }
        context.session.setRun(P.self, nil)
        context.print("forgot the \(P.title) run on \(running.modelName) \(running.procedure.position)")
    }
}
