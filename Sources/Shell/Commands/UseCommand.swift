// UseCommand.swift — `use NAME`: switch the current model.

enum UseCommand: Command {
    static let info = CommandInfo(name: "use", abstract: "Make a loaded model the current one.", arguments: "NAME",
                                  examples: ["use gpt2-mini"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let name = try arguments.positional(0, "a model name (see `models`)")
        try context.session.use(name)
        context.print("using \(name)")
        context.set("model", .string(name))
    }
}
