// SaveCommand.swift — `save PATH`: the current model as a checkpoint (tf_model.h5 layout, atomic write).
import Procedures
import Foundation
import GPT2

enum SaveCommand: Command {
    static let info = CommandInfo(name: "save", abstract: "Save the current model (tf_model.h5 layout Hugging Face reads; atomic), with its classification head if it has one.",
                                  arguments: "PATH",
                                  flags: [FlagInfo("config", "also write Hugging Face's config.json beside the file")],
                                  examples: ["save checkpoints/protected.h5", "save models/my-model/tf_model.h5 --config"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let path = try context.session.writablePath(try arguments.positional(0, "a file path"), for: "save")
        let model = try context.session.model()
        let name = context.session.currentName ?? "model"
        var extras: [String: (shape: [Int], values: [Float])] = [:]
        if let head = context.session.classifierHeads[name] { extras["score.weight"] = (head.shape, head.data) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw UsageError("save: cannot create the folder \(folder.path) (\(error.localizedDescription))")
        }
        try model.save(to: path, extras: extras)
        if arguments.has("config") {
            let url = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("config.json")
            var object = (try JSONSerialization.jsonObject(with: try JSONEncoder().encode(model.config)) as? [String: Any]) ?? [:]
            object["model_type"] = "gpt2"
            object["architectures"] = ["GPT2LMHeadModel"]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            do { try AtomicFile.write(data, to: url.path) } catch { throw UsageError("save: cannot write \(url.path): \(error)") }
        }
        context.print("saved \(name) to \(path)" + (extras.isEmpty ? "" : " (with its classification head)") + (arguments.has("config") ? " and config.json" : ""))
        if !model.interventions.isEmpty {
            context.print("note: the file holds the weights only; its \(model.interventions.count) intervention(s) (ablations, steering) are not in it")
        }
        context.set("path", .string(path))
    }
}
