// SnapshotCommand.swift — `snapshot NAME`: keep a copy of the current model's weights.

enum SnapshotCommand: Command {
    static let info = CommandInfo(name: "snapshot", abstract: "Keep a copy of the current model's weights under a name.",
                                  arguments: "NAME", examples: ["snapshot before-sophon"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let name = try arguments.positional(0, "a snapshot name")
        let model = try context.session.model()
        let weights = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.tensor.data) })
        context.session.snapshots[name] = (context.session.currentName ?? "?", weights)
        context.print("snapshot \(name): \(weights.count) tensors of \(context.session.currentName ?? "?")")
        context.set("snapshot", .string(name))
    }
}
