// SophonResumeCommand.swift — `sophon resume PATH`: continue a run saved by `sophon save`/`sophon run --out`.
import Foundation
import GPT2
import Procedures

enum SophonResumeCommand: Command {
    static let info = CommandInfo(
        name: "sophon resume", abstract: "Load a SOPHON checkpoint saved with state and continue its run.",
        arguments: "PATH",
        flags: [FlagInfo("name", value: "NAME", "model name in the session (default sophon)"),
                FlagInfo("restricted", value: "PATH", "restricted-task reviews (default: the file the run was started on)")],
        examples: ["sophon resume runs/sophon/tf_model.h5"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let path = (try arguments.positional(0, "a checkpoint path") as NSString).expandingTildeInPath
        let name = arguments.string("name") ?? "sophon"
        guard let json = try GPT2Model.loadAttribute("sophon", from: path),
              let settings = try? JSONDecoder().decode(SophonTrainer.SettingsOnly.self, from: Data(json.utf8)) else {
            throw UsageError("sophon resume: \(path) has no SOPHON state (saved --weights-only, or not a SOPHON checkpoint)")
        }
        let tokenizer = try context.session.tokenizer()
        let restricted = try SophonTrainer.loadReviews(arguments.string("restricted") ?? settings.settings.restrictedDataForResume, tokenizer: tokenizer,
                                                       model: try GPT2Model.load(from: path), maxTokens: settings.settings.maxReviewTokens)
        let original = try DataLayout.originalDomain(tokenizer: tokenizer)
        let trainer = try SophonTrainer.resume(from: path, restricted: restricted, original: original)
        context.session.add(trainer.classifier.body, name: name)
        context.session.classifierHeads[name] = trainer.classifier.head
        context.session.sophon = (name, trainer)
        context.session.sophonSettings = trainer.settings
        context.print("resumed SOPHON on \(name) at iteration \(trainer.iteration) from \(path)")
        context.set("iteration", .int(trainer.iteration))
    }
}
