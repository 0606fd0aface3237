// ELMConfigCommand.swift — `elm config`: show or change ELM's settings before a run starts.
import Foundation
import Procedures

enum ELMConfigCommand: Command {
    static let info = CommandInfo(
        name: "elm config", abstract: "Show or change ELM's settings (LoRA, eta, term scales, fluency data).",
        flags: ELMSettings.flags.flagInfos(),
        examples: ["elm config", "elm config --eta 100 --constant-eta --layers 0,1"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let session = context.session
        var s = session.elm?.procedure.settings ?? session.elmSettings
        try ELMSettings.flags.apply(a, to: &s)
        do {
            try s.validate()
            try session.elm?.procedure.update(s)
        } catch let error as SettingError { throw UsageError("elm config: \(error.description)") }
        catch { throw UsageError("\(error)") }
        session.elmSettings = s
        context.print(String(format: "LoRA rank %d, alpha %g, dropout %g on layers %@ (%@); AdamW lr %g, accumulation %d", s.rank, s.alpha, s.dropout,
                             s.layers.map(String.init).joined(separator: ","), s.modules.joined(separator: ","), s.learningRate, s.accumulation))
        context.print(String(format: "target: eta %g (%@), temperature %g, top-k %d; scales erase %g, retain %g (%@), fluency %g", s.target.eta,
                             s.target.ramp ? "ramped from 1" : "constant", s.target.temperature, s.target.topK, s.eraseScale, s.retainScale,
                             s.softRetain ? "soft" : "hard", s.fluencyScale))
        context.print(String(format: "fluency data: %d guided continuations of %d tokens, gamma %g; passages of %d characters", s.fluencySamples,
                             s.fluencyTokens, s.guidance, s.passageCharacters))
    }
}
