// ModelsCommand.swift — `models`: what is loaded, which is current, and the snapshots kept.

enum ModelsCommand: Command {
    static let info = CommandInfo(name: "models", abstract: "List the loaded models (* marks the current one) and the snapshots kept.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let names = context.session.models.keys.sorted()
        if names.isEmpty { context.print("no models loaded (the bundled gpt2-mini loads on first use)") }
        for name in names {
            let c = context.session.models[name]!.config   // name comes from the dictionary's own keys
            context.print("\(name == context.session.currentName ? "*" : " ") \(name)  \(c.layerCount)×\(c.embeddingSize), \(formatCount(c.parameterCount)) parameters")
        }
        let snapshots = context.session.snapshots.sorted { $0.key < $1.key }
        for (name, snapshot) in snapshots { context.print("  snapshot \(name) (of \(snapshot.model))") }
        context.set("models", .array(names.map { .string($0) }))
        context.set("snapshots", .array(snapshots.map { .string($0.key) }))
        context.set("current", context.session.currentName.map { .string($0) } ?? .null)
    }
}
