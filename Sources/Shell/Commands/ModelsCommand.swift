// ModelsCommand.swift — `models`: what is loaded, and which is current.

enum ModelsCommand: Command {
    static let info = CommandInfo(name: "models", abstract: "List the loaded models (* marks the current one).")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let names = context.session.models.keys.sorted()
        if names.isEmpty { context.print("no models loaded (the bundled gpt2-mini loads on first use)") }
        for name in names {
            let c = context.session.models[name]!.config   // name comes from the dictionary's own keys
            context.print("\(name == context.session.currentName ? "*" : " ") \(name)  \(c.layerCount)×\(c.embeddingSize), \(formatCount(c.parameterCount)) parameters")
        }
        context.set("models", .array(names.map { .string($0) }))
        context.set("current", context.session.currentName.map { .string($0) } ?? .null)
    }
}
