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
        SophonCalibrateCommand.self, SophonEvalCommand.self,
        WHPAnchorsCommand.self, WHPTranslateCommand.self, WHPReinforceCommand.self, WHPLabelsCommand.self,
        WHPFinetuneCommand.self, WHPDictionaryCommand.self,
        ELMPrepareCommand.self, ELMCheckCommand.self, ELMMergeCommand.self,
    ] + procedures.flatMap { procedureCommands($0) } + [
        PretrainCommand.self, BenchCommand.self,
    ]

    /// Every procedure: each gets `NAME config`, `NAME status` and `NAME reset` generated.
    static let procedures: [any Procedure.Type] = [SophonTrainer.self, WHPProcedure.self, ELMProcedure.self]
    /// The words procedures' commands start with (those commands change the session).
    static var procedureNames: Set<String> { Set(procedures.map { $0.name }) }

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

    /// Names of commands starting with a word (for "did you mean").
    static func suggestions(for word: String) -> [String] {
        let names = all.map { $0.info.name }
        let prefixed = names.filter { $0.hasPrefix(word) || $0.split(separator: " ").first.map(String.init) == word }
        return prefixed.isEmpty ? names.filter { $0.first == word.first } : prefixed
    }
}
