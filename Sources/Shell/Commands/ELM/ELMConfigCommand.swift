// ELMConfigCommand.swift — `elm config`: show or change ELM's settings before a run starts.
import Foundation
import Procedures

enum ELMConfigCommand: Command {
    static let info = CommandInfo(
        name: "elm config", abstract: "Show or change ELM's settings (LoRA, eta, term scales, fluency data).",
        flags: [FlagInfo("rank", value: "R", "LoRA rank (default 4)"), FlagInfo("alpha", value: "A", "LoRA alpha (default 16)"),
                FlagInfo("dropout", value: "P", "LoRA dropout (default 0.05)"),
                FlagInfo("layers", value: "LIST", "blocks with adapters (default 1,2,3)"),
                FlagInfo("modules", value: "LIST", "projections: attn.c_attn,attn.c_proj,mlp.c_fc,mlp.c_proj (default all)"),
                FlagInfo("lr", value: "LR", "AdamW learning rate of the adapters (default 1e-3)"),
                FlagInfo("eta", value: "E", "eta at the end of the ramp (default 500)"),
                FlagInfo("constant-eta", "hold eta constant instead of ramping from 1"), FlagInfo("ramp", "ramp eta from 1 (default)"),
                FlagInfo("temperature", value: "T", "teacher temperature (default 1.2)"), FlagInfo("top-k", value: "K", "target top-k (default 50)"),
                FlagInfo("erase-scale", value: "S", "weight of the erase term (default 1)"),
                FlagInfo("retain-scale", value: "S", "weight of the retain term (default 1)"),
                FlagInfo("retain", value: "hard|soft", "retain teacher: the frozen model's argmax (hard, the code's) or its distribution (soft, KL)"),
                FlagInfo("fluency-scale", value: "S", "weight of the fluency term (default 1)"),
                FlagInfo("accumulation", value: "N", "iterations per optimizer step (default 4)"),
                FlagInfo("fluency-samples", value: "N", "guided continuations to pre-generate (default 24)"),
                FlagInfo("fluency-tokens", value: "N", "tokens per continuation (default 48)"),
                FlagInfo("guidance", value: "G", "guidance gamma of the fluency generations (default 3)"),
                FlagInfo("concept", value: "TEXT", "the concept string put into the prompt pairs"),
                FlagInfo("pairs", value: "PATH", "expert/novice prompt pairs with a {concept} placeholder, e.g. \(ELMSupport.instructionPairs) for instruction-tuned models (default: the source lines the demo models learned, \"A Sherlock Holmes story by Arthur Conan Doyle.\" against \"A novel.\")"),
                FlagInfo("seed", value: "S", "seed (default 11)")],
        examples: ["elm config", "elm config --eta 100 --constant-eta --layers 0,1"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let session = context.session
        var s = session.elmSettings
        let changing = !a.positionals.isEmpty || ["rank", "alpha", "dropout", "layers", "modules", "seed", "concept", "pairs", "fluency-samples", "fluency-tokens", "guidance"].contains(where: a.has)
        if changing, session.elm != nil { throw UsageError("elm config: LoRA shape, data and seed are fixed once ELM has started (`elm reset` first)") }
        s.rank = try a.int("rank", default: s.rank)
        s.alpha = try a.float("alpha", default: s.alpha)
        s.dropout = try a.float("dropout", default: s.dropout)
        if let layers = a.string("layers") {
            s.layers = try layers.split(separator: ",").map { guard let v = Int($0) else { throw UsageError("elm config: --layers expects numbers like 1,2,3") }; return v }
        }
        if let modules = a.string("modules") { s.modules = modules.split(separator: ",").map(String.init) }
        s.learningRate = try a.float("lr", default: s.learningRate)
        s.target.eta = try a.double("eta", default: s.target.eta)
        if a.has("constant-eta") { s.target.ramp = false }
        if a.has("ramp") { s.target.ramp = true }
        s.target.temperature = try a.double("temperature", default: s.target.temperature)
        s.target.topK = try a.int("top-k", default: s.target.topK)
        s.eraseScale = try a.float("erase-scale", default: s.eraseScale)
        s.retainScale = try a.float("retain-scale", default: s.retainScale)
        s.fluencyScale = try a.float("fluency-scale", default: s.fluencyScale)
        if let teacher = a.string("retain") {
            guard teacher == "hard" || teacher == "soft" else { throw UsageError("elm config: --retain expects hard or soft, got \(teacher)") }
            s.softRetain = teacher == "soft"
        }
        s.accumulation = try a.int("accumulation", default: s.accumulation)
        s.fluencySamples = try a.int("fluency-samples", default: s.fluencySamples)
        s.fluencyTokens = try a.int("fluency-tokens", default: s.fluencyTokens)
        s.guidance = try a.float("guidance", default: s.guidance)
        if let seed = a.string("seed") {
            guard let v = UInt64(seed) else { throw UsageError("elm config: --seed expects a non-negative whole number") }
            s.seed = v
        }
        do { try s.validate() } catch { throw UsageError("\(error)") }
        if let concept = a.string("concept") { session.elmConcept = concept }
        if let pairs = a.string("pairs") { session.elmPairsPath = pairs }
        session.elmSettings = s
        session.elm?.procedure.settings = s
        context.print(String(format: "LoRA rank %d, alpha %g, dropout %g on layers %@ (%@); AdamW lr %g, accumulation %d", s.rank, s.alpha, s.dropout,
                             s.layers.map(String.init).joined(separator: ","), s.modules.joined(separator: ","), s.learningRate, s.accumulation))
        context.print(String(format: "target: eta %g (%@), temperature %g, top-k %d; scales erase %g, retain %g (%@), fluency %g", s.target.eta,
                             s.target.ramp ? "ramped from 1" : "constant", s.target.temperature, s.target.topK, s.eraseScale, s.retainScale,
                             s.softRetain ? "soft" : "hard", s.fluencyScale))
        context.print(String(format: "fluency data: %d guided continuations of %d tokens, gamma %g; passages of %d characters", s.fluencySamples,
                             s.fluencyTokens, s.guidance, s.passageCharacters))
    }
}
