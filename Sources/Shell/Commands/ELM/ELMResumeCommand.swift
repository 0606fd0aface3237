// ELMResumeCommand.swift — `elm resume PATH`: continue a saved ELM run exactly where it stopped.
import Foundation
import Procedures

enum ELMResumeCommand: Command {
    static let info = CommandInfo(
        name: "elm resume", abstract: "Continue an ELM run saved with `elm save` or `elm run --out` (bit-exact: the same iterations follow).",
        arguments: "PATH", flags: [FlagInfo("name", value: "NAME", "session name of the adapted model (default elm)")],
        examples: ["elm resume runs/elm.h5", "elm resume runs/elm.h5 --name elm-long"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let path = DataPaths.resolve(try arguments.positional(0, "a checkpoint path"))
        let name = arguments.string("name") ?? "elm"
        let procedure = try ELMProcedure.resume(from: path, tokenizer: try context.session.tokenizer())
        context.session.add(procedure.model, name: name)
        context.session.setRun(ELMProcedure.self, (name, procedure))
        context.session.elmSettings = procedure.settings
        context.print("resumed ELM on \(name) at iteration \(procedure.iteration) from \(path)")
        context.set("iteration", .int(procedure.iteration))
    }
}
