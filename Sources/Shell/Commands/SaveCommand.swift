// SaveCommand.swift — `save PATH`: the current model as a checkpoint (tf_model.h5 layout, atomic write).
import Foundation
import GPT2

enum SaveCommand: Command {
    static let info = CommandInfo(name: "save", abstract: "Save the current model (tf_model.h5 layout Hugging Face reads; atomic).",
                                  usage: "save PATH", examples: ["save checkpoints/protected.h5"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let path = (try arguments.positional(0, "a file path") as NSString).expandingTildeInPath
        let model = try context.session.model()
        try model.save(to: path)
        context.print("saved \(context.session.currentName ?? "model") to \(path)")
        context.set("path", .string(path))
    }
}
