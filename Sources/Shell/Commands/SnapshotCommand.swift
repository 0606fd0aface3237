// SnapshotCommand.swift — `snapshot [NAME]`: keep a copy of the current model's weights.

enum SnapshotCommand: Command {
    static let info = CommandInfo(name: "snapshot", abstract: "Keep a copy of the current model's weights under a name (given, or snapshot-1, snapshot-2, …).",
                                  arguments: "[NAME]", examples: ["snapshot before-sophon", "snapshot"],
                                  discussion: "`restore NAME` puts the weights back; `diff NAME current` shows what changed; `models` lists snapshots.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let session = context.session
        let name = arguments.positionals.first ?? (1...).lazy.map { "snapshot-\($0)" }.first { session.snapshots[$0] == nil } ?? "snapshot"
        let model = try session.model()
        let weights = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.tensor.data) })
        session.snapshots[name] = (session.currentName ?? "?", weights)
        context.print("snapshot \(name): \(weights.count) tensors of \(session.currentName ?? "?")")
        context.set("snapshot", .string(name))
    }
}
