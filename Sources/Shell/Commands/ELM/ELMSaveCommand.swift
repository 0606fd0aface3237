// ELMSaveCommand.swift — `elm save PATH`: the run in progress, resumable in a later session.
import Foundation
import Procedures

enum ELMSaveCommand: Command {
    static let info = CommandInfo(
        name: "elm save", abstract: "Save the ELM run in progress (base weights, adapters, optimizer, RNG, position) to resume later.",
        arguments: "PATH", examples: ["elm save runs/elm.h5"],
        discussion: "`elm resume PATH` continues it exactly. To share the unlearned model, `elm merge` then `save PATH`.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.run(ELMProcedure.self) else { throw UsageError("elm save: no ELM run in this session (`elm step` starts one)") }
        let path = try context.session.writablePath(try arguments.positional(0, "a path to write"), for: "elm save")
        try save(running.procedure, to: path)
        context.print("saved the ELM run on \(running.modelName) after \(running.procedure.iteration) iterations to \(path)")
        context.set("path", .string(path))
    }

    static func save(_ procedure: ELMProcedure, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try procedure.save(to: path)
    }
}
