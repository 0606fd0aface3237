// CommandRegistry.swift — every domain command, in one explicit list (no reflection).
import Procedures

public enum CommandRegistry {
    public static let all: [any Command.Type] = [
        HelpCommand.self,
        LoadModelCommand.self, NewModelCommand.self, LoadTokenizerCommand.self, UseCommand.self, ModelsCommand.self, InfoCommand.self,
        TokenizeCommand.self, ScoreCommand.self, GenerateCommand.self,
        LogitsCommand.self, LensCommand.self, AttentionCommand.self, ActivationsCommand.self,
        AblateCommand.self, SteerCommand.self, InterventionsCommand.self, PatchCommand.self, CompareCommand.self,
        SnapshotCommand.self, RestoreCommand.self, DiffCommand.self, SaveCommand.self,
        ZeroShotCommand.self, ProbeCommand.self, FinetuneCommand.self, ProbesCommand.self, PerplexityCommand.self, FluencyCommand.self, RelearnCommand.self,
        ForgetReportCommand.self,
    ] + procedures.flatMap { verbCommands($0) } + procedures.flatMap { procedureCommands($0) } + [
        PretrainCommand.self, BenchCommand.self,
    ]

    /// Every procedure: each gets `NAME config`, `NAME status` and `NAME reset` generated.
    static let procedures: [any Procedure.Type] = [SophonTrainer.self, WHPProcedure.self, ELMProcedure.self]
    /// The words procedures' commands start with (those commands change the session).
    static var procedureNames: Set<String> { Set(procedures.map { $0.name }) }

    /// A procedure's own verbs (`whp anchors`), each a command generated from its declaration.
    static func verbCommands(_ kind: any Procedure.Type) -> [any Command.Type] { kind.verbs.map { verbCommand($0) } }
    static func verbCommand<V: ProcedureVerb>(_ verb: V.Type) -> any Command.Type { ProcedureVerbCommand<V>.self }

    /// The commands every procedure has, generated from its declaration.
    static func procedureCommands<P: Procedure>(_ kind: P.Type) -> [any Command.Type] {
        var commands: [any Command.Type] = [ProcedureConfigCommand<P>.self, ProcedureStatusCommand<P>.self, ProcedureResetCommand<P>.self]
        if let stepped = kind as? any SteppedProcedure.Type { commands += steppedCommands(stepped) }
        return commands
    }

    /// `NAME step`, `NAME run N`, `NAME save` and `NAME resume`, for a procedure that advances one iteration at a time.
    static func steppedCommands<P: SteppedProcedure>(_ kind: P.Type) -> [any Command.Type] {
        [ProcedureStepCommand<P>.self, ProcedureRunCommand<P>.self, ProcedureSaveCommand<P>.self, ProcedureResumeCommand<P>.self]
    }

    /// The command whose words begin `words` (longest match: `load model` before `load`), and how many words it used.
    public static func find(_ words: [String]) -> (command: any Command.Type, wordCount: Int)? {
        var best: (command: any Command.Type, wordCount: Int)?
        for command in all {
            let w = command.info.words
            if words.count >= w.count && Array(words.prefix(w.count)) == w && w.count > (best?.wordCount ?? 0) {
                best = (command, w.count)
            }
        }
        return best
    }

    /// The commands nearest to what was typed, nearest first (for "did you mean"). When the first word
    /// is a command family (`sophon stpe`), its subcommands ranked by the second word; otherwise command
    /// names that start with the word, then the rest by edit distance, those within half the word's length.
    static func suggestions(for words: [String]) -> [String] {
        guard let first = words.first else { return [] }
        let family = all.map { $0.info.words }.filter { $0.count > 1 && $0[0] == first }
        if !family.isEmpty {
            let second = words.count > 1 ? words[1] : ""
            return nearestFirst(family.map { NamedDistance(name: $0.joined(separator: " "), distance: EditDistance.between($0[1], second)) })
        }
        let names = all.map { $0.info.name }
        let prefixed = names.filter { $0.hasPrefix(first) }
        var near: [NamedDistance] = []
        for name in names where !name.hasPrefix(first) {
            let distance = EditDistance.between(String(name.split(separator: " ")[0]), first)
            if distance <= max(2, first.count / 2) { near.append(NamedDistance(name: name, distance: distance)) }
        }
        return prefixed + nearestFirst(near)
    }

    private struct NamedDistance {
        let name: String
        let distance: Int
    }

    /// Nearest first; ties in name order.
    private static func nearestFirst(_ candidates: [NamedDistance]) -> [String] {
        candidates.sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }.map(\.name)
    }
}
