// SophonSaveCommand.swift — `sophon save PATH`: the protected model with its head (and its state).
import Foundation
import Procedures

enum SophonSaveCommand: Command {
    static let info = CommandInfo(
        name: "sophon save", abstract: "Save the SOPHON model with its head; with state (both Adams, RNG, position) unless --weights-only.",
        arguments: "PATH",
        flags: [FlagInfo("weights-only", "leave out the training state (a smaller file to share; cannot be resumed)")],
        examples: ["sophon save runs/sophon/tf_model.h5", "sophon save models/gpt2-mini-sophon/tf_model.h5 --weights-only"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let running = context.session.sophon else { throw UsageError("sophon save: no SOPHON run in this session (`sophon step` starts one)") }
        let path = try context.session.writablePath(try arguments.positional(0, "a path to write"), for: "sophon save")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try running.trainer.save(to: path, includeState: !arguments.has("weights-only"))
        context.print("saved \(running.modelName) after \(running.trainer.iteration) SOPHON iterations to \(path)"
                      + (arguments.has("weights-only") ? " (weights and head only)" : ""))
        context.set("path", .string(path))
    }
}
