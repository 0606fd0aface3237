// SophonResetCommand.swift — `sophon reset`: forget the run in progress (the model keeps its weights).
enum SophonResetCommand: Command {
    static let info = CommandInfo(name: "sophon reset", abstract: "Forget the SOPHON run in progress (weights stay as they are; settings are kept).",
                                  examples: ["sophon reset"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let had = context.session.sophon
        context.session.sophon = nil
        context.print(had.map { "forgot the SOPHON run on \($0.modelName) at iteration \($0.trainer.iteration)" } ?? "no SOPHON run to forget")
    }
}
