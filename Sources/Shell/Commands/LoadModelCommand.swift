// LoadModelCommand.swift — `load model PATH`: a GPT-2 from HDF5, held under a name.
import Procedures
import Foundation
import Autograd
import GPT2

enum LoadModelCommand: Command {
    static let info = CommandInfo(
        name: "load model", abstract: "Load a GPT-2 from HDF5 (tf_model.h5, PyTorch names, or a Lethe checkpoint).",
        arguments: "PATH",
        flags: [FlagInfo("name", value: "NAME", "name to hold it under (default: its folder or file name)")],
        examples: ["load model models/gpt2-mini/tf_model.h5", "load model ~/gpt2/tf_model.h5 --name gpt2"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        var path = (try arguments.positional(0, "a path to an HDF5 file") as NSString).expandingTildeInPath
        // A model folder (as Hugging Face ships them) loads its tf_model.h5.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
           FileManager.default.fileExists(atPath: path + "/tf_model.h5") {
            path += "/tf_model.h5"
        }
        let model = try GPT2Model.load(from: path)
        let url = URL(fileURLWithPath: path)
        let fallback = url.deletingPathExtension().lastPathComponent == "tf_model"
            ? url.deletingLastPathComponent().lastPathComponent : url.deletingPathExtension().lastPathComponent
        let name = arguments.string("name") ?? fallback
        context.session.add(model, name: name)
        // A classification head saved with the model (SOPHON checkpoints, `finetune --keep` + save) comes along.
        var hasHead = false
        if let head = try GPT2Model.loadExtras(from: path)["score.weight"], head.shape.count == 2,
           head.shape[1] == model.config.embeddingSize {
            context.session.classifierHeads[name] = Tensor(shape: head.shape, data: head.values)
            hasHead = true
        }
        let c = model.config
        context.print("loaded \(name): \(c.layerCount) layers, width \(c.embeddingSize), \(c.headCount) heads, context \(c.contextLength), vocabulary \(c.vocabSize), \(formatCount(c.parameterCount)) parameters"
                      + (hasHead ? ", with a classification head" : ""))
        context.set("name", .string(name))
        context.set("parameters", .int(c.parameterCount))
    }
}

/// 7,662,080 → "7.66M".
func formatCount(_ n: Int) -> String {
    if n >= 1_000_000_000 { return String(format: "%.2fB", Double(n) / 1e9) }
    if n >= 1_000_000 { return String(format: "%.2fM", Double(n) / 1e6) }
    if n >= 1_000 { return String(format: "%.1fK", Double(n) / 1e3) }
    return "\(n)"
}
