// ProcedureCommands.swift — the commands every procedure has, generated from its declaration
// (`Procedure`): `NAME config` (flags, usage and parsing from its SettingFlags), `NAME status` and
// `NAME reset`; and the one way every procedure command finds or starts its run.
import Foundation
import GPT2
import Procedures

enum ProcedureRuns {
    /// `P`'s run in progress, or a new one started on the current model with `NAME config`'s settings
    /// (after `adjust`, for a command's own flags such as `sophon step --restricted`).
    static func current<P: Procedure>(_ kind: P.Type, _ context: CommandContext, adjust: (inout P.Settings) -> Void = { _ in }) throws -> P {
        let session = context.session
        let model = try session.model()   // loads the default model when none is (which names it)
        let name = session.currentName ?? "model"
        if let running = session.run(P.self) {
            guard !P.trainsInPlace || running.modelName == name else {
                throw UsageError("\(P.name): a run is in progress on \(running.modelName); `use \(running.modelName)` to continue it, or `\(P.name) reset` to start over on \(name)")
            }
            return running.procedure
        }
        var settings = session.settings(for: P.self)
        adjust(&settings)
        let start = ProcedureStart(model: model, modelName: name, tokenizer: try session.tokenizer(),
                                   classifierHead: session.classifierHeads[name], say: { context.print($0) }, progress: { context.progress($0) })
        let started = try P.start(start, settings: settings)
        if let model = started.newModel {
            session.add(model, name: started.modelName)
            // A note, not a checked line: sessions recorded before it said so still replay.
            if started.modelName != name { context.note("\(started.modelName) is now current; \(name) is unchanged (`use \(name)` to return to it)") }
        }
        if let head = started.classifierHead { session.classifierHeads[name] = head }
        session.setRun(P.self, (started.modelName, started.procedure))
        return started.procedure
    }
}

/// `NAME status`: where the run is, or what a new one would start with.
enum ProcedureStatusCommand<P: Procedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) status", abstract: "Show \(P.title)'s position, settings and the last lines of its log.",
                    flags: [FlagInfo("last", value: "N", "log lines to show (default 5)")], examples: ["\(P.name) status"])
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let last = try arguments.int("last", default: 5)
        guard let running = context.session.run(P.self) else {
            for line in P.noRunLines(context.session.settings(for: P.self)) { context.print(line) }
            if P.self is any SteppedProcedure.Type { context.set("iteration", .int(0)) }
            return
        }
        for line in running.procedure.statusLines(modelName: running.modelName, last: last) { context.print(line) }
        context.set("model", .string(running.modelName))
        for (key, value) in running.procedure.statusFields { context.set(key, value) }
    }
}

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
        context.set("settings", .string((try? StableJSON.string(settings)) ?? ""))
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
