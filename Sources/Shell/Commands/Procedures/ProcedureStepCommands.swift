// ProcedureStepCommands.swift — `NAME step` and `NAME run N`, generated for every procedure that
// advances one iteration at a time (`SteppedProcedure`): progress with an ETA, a line every --every
// iterations, checkpoints with --out, Ctrl-C that keeps what was done, and --plot.
import Foundation
import Procedures

extension SteppedProcedure {
    /// The run in progress, or a new one with the command's start flags applied to `NAME config`'s settings.
    static func current(_ arguments: Arguments, _ context: CommandContext) throws -> Self {
        // The flags are checked before anything starts, so a bad value starts nothing.
        var settings = context.session.settings(for: Self.self)
        try startSettingFlags.apply(arguments, to: &settings)
        return try ProcedureRuns.current(Self.self, context) { $0 = settings }
    }
}

/// `NAME step`: one iteration, then look at the model.
enum ProcedureStepCommand<P: SteppedProcedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) step", abstract: P.stepHelp.abstract, flags: P.startSettingFlags.flagInfos(),
                    examples: P.stepHelp.examples, discussion: P.stepHelp.discussion)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let procedure = try P.current(arguments, context)
        defer { context.endProgress() }
        try procedure.prepareToStep(progress: { context.progress($0) })
        switch try procedure.advance(progress: { context.progress("\(P.name) iteration \(procedure.iteration + 1)", done: $0, of: $1) }) {
        case .completed(let report):
            context.endProgress()
            context.print(procedure.line(report))
            for (key, value) in procedure.fields(report) { context.set(key, value) }
        case .undone(let reason):
            context.endProgress()
            context.print(reason)
            context.set("rolled_back", .bool(true))
        }
        context.set("iteration", .int(procedure.iteration))
    }
}

/// `NAME run N`: N iterations with progress, a line every --every, checkpoints with --out.
enum ProcedureRunCommand<P: SteppedProcedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) run", abstract: P.runHelp.abstract, arguments: "N",
                    flags: P.startSettingFlags.flagInfos() + [
                        FlagInfo("every", value: "K", "print a line every K iterations (default \(P.defaultEvery))"),
                        FlagInfo("out", value: "PATH", "checkpoint (with state) written every --save-every iterations, on Ctrl-C and at the end"),
                        FlagInfo("save-every", value: "K", "checkpoint interval with --out (default \(P.defaultSaveEvery))"),
                        Plot.flag(P.figureHelp)],
                    examples: P.runHelp.examples, discussion: P.runHelp.discussion)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let count = Int(try arguments.positional(0, "a number of iterations")), count >= 1 else {
            throw UsageError("\(P.name) run: expected a positive number of iterations")
        }
        let every = max(1, try arguments.int("every", default: P.defaultEvery))
        let saveEvery = max(1, try arguments.int("save-every", default: P.defaultSaveEvery))
        let out = try arguments.string("out").map { try context.session.writablePath($0, for: "\(P.name) run --out") }
        let plot = try Plot.destination(arguments, context)
        let procedure = try P.current(arguments, context)
        try procedure.prepareToStep(progress: { context.progress($0) })
        let started = Date(), first = procedure.iteration
        func save() throws {
            guard let out else { return }
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: out).deletingLastPathComponent(), withIntermediateDirectories: true)
            try procedure.saveCheckpoint(to: out)
            context.note("checkpoint at iteration \(procedure.iteration): \(out)")
        }
        func finish() throws {
            try Plot.write(procedure.figure.svg, to: plot, what: "\(P.title) curves", context)
            context.set("iteration", .int(procedure.iteration))
        }
        var window: [P.Report] = []
        var last: P.Report?
        do {
            for done in 1...count {
                if Interrupt.isRequested { throw Interrupted("\(P.name) run: stopped after iteration \(procedure.iteration); `\(P.name) run` continues") }
                switch try procedure.advance(progress: { _, _ in }) {
                case .completed(let report):
                    window.append(report)
                    last = report
                    let perIteration = Date().timeIntervalSince(started) / Double(done)
                    let note = procedure.progressNote(report)
                    context.progress(String(format: "iteration %d (%d/%d)  %@%.2f s/it  ETA %.1f min", procedure.iteration, done, count,
                                            note.isEmpty ? "" : note + "  ", perIteration, perIteration * Double(count - done) / 60))
                    if done % every == 0 || done == count {
                        context.endProgress()
                        context.print(procedure.runLine(window))
                        window = []
                    }
                    if done % saveEvery == 0 && done < count {
                        // A checkpoint that cannot be written stops nothing: the run goes on in memory.
                        do { try save() } catch { context.print("warning: checkpoint at iteration \(procedure.iteration) not written: \(Shell.message(for: error)); the run continues") }
                    }
                case .undone(let reason):
                    context.endProgress()
                    context.print(reason + "; stopping")
                    context.set("rolled_back", .bool(true))
                    try save()
                    try finish()
                    return
                }
            }
        } catch let interrupted as Interrupted {
            context.endProgress()
            // The iteration in progress was undone; the completed ones stay, and replay redoes exactly those.
            if procedure.iteration > first { context.replayAs = arguments.commandLine(replacingFirstPositionalWith: "\(procedure.iteration - first)") }
            try save()
            try finish()
            throw interrupted
        }
        try save()
        context.note(String(format: "%d iterations in %.1f s", procedure.iteration - first, Date().timeIntervalSince(started)))
        if let last { for (key, value) in procedure.fields(last) { context.set(key, value) } }
        try finish()
    }
}
