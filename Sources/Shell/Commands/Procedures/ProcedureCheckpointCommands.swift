// ProcedureCheckpointCommands.swift — `NAME save PATH` and `NAME resume PATH`, generated for every
// procedure that advances one iteration at a time: a run spans sittings, and continues bit-exactly.
import Foundation
import Procedures

/// `NAME save PATH`: the run in progress with everything a resume needs (or, where the procedure
/// offers it, `--weights-only`: the weights to share).
enum ProcedureSaveCommand<P: SteppedProcedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) save", abstract: P.saveHelp.abstract, arguments: "PATH",
                    flags: P.weightsOnlyHelp.map { [FlagInfo("weights-only", $0)] } ?? [],
                    examples: P.saveHelp.examples, discussion: P.saveHelp.discussion)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.run(P.self) else {
            throw UsageError("\(P.name) save: no \(P.title) run in this session (`\(P.name) step` starts one)")
        }
        let path = try context.session.writablePath(try arguments.positional(0, "a path to write"), for: "\(P.name) save")
        let weightsOnly = P.weightsOnlyHelp != nil && arguments.has("weights-only")
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        if weightsOnly { try running.procedure.saveWeights(to: path) } else { try running.procedure.saveCheckpoint(to: path) }
        context.print("saved the \(P.title) run on \(running.modelName) after \(running.procedure.iteration) iterations to \(path)"
                      + (weightsOnly ? " (weights only: it cannot be resumed)" : ""))
        context.set("path", .string(path))
    }
}

/// `NAME resume PATH`: the saved run becomes the session's run, its model the current one.
enum ProcedureResumeCommand<P: SteppedProcedure>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(P.name) resume", abstract: P.resumeHelp.abstract, arguments: "PATH",
                    flags: [FlagInfo("name", value: "NAME", "session name of the model it trains (default \(P.name))")]
                        + (P.resumeDataFlag.map { [FlagInfo($0.name, value: "PATH", $0.help)] } ?? []),
                    examples: P.resumeHelp.examples, discussion: P.resumeHelp.discussion)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let path = DataPaths.resolve(try arguments.positional(0, "a checkpoint path"))
        let name = arguments.string("name") ?? P.name
        let session = context.session
        let started = try P.resume(from: path, as: name, data: P.resumeDataFlag.flatMap { arguments.string($0.name) },
                                   tokenizer: try session.tokenizer())
        if let model = started.newModel { session.add(model, name: started.modelName) }
        if let head = started.classifierHead { session.classifierHeads[started.modelName] = head }
        session.setRun(P.self, (started.modelName, started.procedure))
        session.setSettings(started.procedure.settings, for: P.self)
        context.print("resumed \(P.title) on \(started.modelName) at iteration \(started.procedure.iteration) from \(path)")
        context.set("iteration", .int(started.procedure.iteration))
    }
}
