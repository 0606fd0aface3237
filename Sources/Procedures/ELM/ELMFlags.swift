// ELMFlags.swift — `elm config`'s flags, declared once: the shell generates the command from them,
// and `ELMProcedure.update` refuses changes to the fixed ones (the adapter's shape, the data, the seed).
import GPT2

extension ELMSettings {
    public static var flags: [SettingFlag<ELMSettings>] {
        [.number("rank", \.rank, value: "R", help: "LoRA rank (default 4)", fixedOnceStarted: true),
         .number("alpha", \.alpha, value: "A", help: "LoRA alpha (default 16)", fixedOnceStarted: true),
         .number("dropout", \.dropout, value: "P", help: "LoRA dropout (default 0.05)", fixedOnceStarted: true),
         .list("layers", \.layers, value: "LIST", help: "blocks with adapters (default 1,2,3)", expected: "block numbers like 1,2,3",
               fixedOnceStarted: true, parse: { Int($0) }),
         .list("modules", \.modules, value: "LIST", help: "projections: \(LoRAAdapters.Projection.allCases.map(\.rawValue).joined(separator: ",")) (default all)",
               expected: "projections among \(LoRAAdapters.Projection.allCases.map(\.rawValue).joined(separator: ", "))", fixedOnceStarted: true,
               parse: LoRAAdapters.Projection.init(rawValue:)),
         .number("lr", \.learningRate, value: "LR", help: "AdamW learning rate of the adapters (default 1e-3)"),
         .number("eta", \.target.eta, value: "E", help: "eta at the end of the ramp (default 500)"),
         .toggle("constant-eta", \.target.ramp, to: false, help: "hold eta constant instead of ramping from 1"),
         .toggle("ramp", \.target.ramp, to: true, help: "ramp eta from 1 (default)"),
         .number("temperature", \.target.temperature, value: "T", help: "teacher temperature (default 1.2)"),
         .number("top-k", \.target.topK, value: "K", help: "target top-k (default 50)"),
         .number("erase-scale", \.eraseScale, value: "S", help: "weight of the erase term (default 1)"),
         .number("retain-scale", \.retainScale, value: "S", help: "weight of the retain term (default 1)"),
         .choice("retain", \.softRetain, [("hard", false), ("soft", true)],
                 help: "retain teacher: the frozen model's argmax (hard, the code's) or its distribution (soft, KL)"),
         .number("fluency-scale", \.fluencyScale, value: "S", help: "weight of the fluency term (default 1)"),
         .number("accumulation", \.accumulation, value: "N", help: "iterations per optimizer step (default 4)"),
         .number("fluency-samples", \.fluencySamples, value: "N", help: "guided continuations to pre-generate (default 24)", fixedOnceStarted: true),
         .number("fluency-tokens", \.fluencyTokens, value: "N", help: "tokens per continuation (default 48)", fixedOnceStarted: true),
         .number("guidance", \.guidance, value: "G", help: "guidance gamma of the fluency generations (default 3)", fixedOnceStarted: true),
         .text("concept", \.concept, value: "TEXT", help: "the concept string put into the prompt pairs", fixedOnceStarted: true),
         .text("pairs", \.pairs, value: "PATH",
               help: "expert/novice prompt pairs with a {concept} placeholder, e.g. \(instructionPairs) for instruction-tuned models (default: the source lines the demo models learned, \"A Sherlock Holmes story by Arthur Conan Doyle.\" against \"A novel.\")",
               fixedOnceStarted: true),
         .number("seed", \.seed, value: "S", help: "seed (default 11)", fixedOnceStarted: true)]
    }
}

extension ELMProcedure: Procedure {
    public static let name = "elm"
    public static var verbs: [any ProcedureVerb.Type] { [ELMPrepareVerb.self, ELMCheckVerb.self, ELMMergeVerb.self] }
    public static let title = "ELM"
    public static let configHelp = ProcedureHelp(
        abstract: "Show or change ELM's settings (LoRA, eta, term scales, fluency data).",
        examples: ["elm config", "elm config --eta 100 --constant-eta --layers 0,1"])

    public static func describe(_ s: ELMSettings) -> [String] {
        [String(format: "LoRA rank %d, alpha %g, dropout %g on layers %@ (%@); AdamW lr %g, accumulation %d", s.rank, s.alpha, s.dropout,
                s.layers.map(String.init).joined(separator: ","), s.modules.map(\.rawValue).joined(separator: ","), s.learningRate, s.accumulation),
         String(format: "target: eta %g (%@), temperature %g, top-k %d; scales erase %g, retain %g (%@), fluency %g", s.target.eta,
                s.target.ramp ? "ramped from 1" : "constant", s.target.temperature, s.target.topK, s.eraseScale, s.retainScale,
                s.softRetain ? "soft" : "hard", s.fluencyScale),
         String(format: "fluency data: %d guided continuations of %d tokens, gamma %g; passages of %d characters", s.fluencySamples,
                s.fluencyTokens, s.guidance, s.passageCharacters)]
    }

    public func apply(_ settings: ELMSettings) throws -> [String] {
        try update(settings)
        return []
    }

    public var position: String { "after \(iteration) iterations" }
}

extension ELMSettings: ProcedureSettings {}
