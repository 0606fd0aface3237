// ELMRun.swift — how an ELM run starts (a LoRA-adapted copy of the current model, the Holmes books'
// training split as concept passages, the original domain's as retain passages) and how it reports.
import Autograd
import Foundation
import GPT2

extension ELMProcedure {
    public static let trainsInPlace = false

    /// ELM trains a copy of the current model, added to the session as `NAME-elm`.
    public static func start(_ start: ProcedureStart, settings: ELMSettings) throws -> StartedRun<ELMProcedure> {
        let (forget, retain) = try passages(settings: settings, tokenizer: start.tokenizer)
        let pairs = try promptPairs(settings)
        let name = start.modelName + "-elm"
        let procedure = try ELMProcedure(model: start.model.copy(), tokenizer: start.tokenizer, forget: forget, retain: retain, pairs: pairs, settings: settings)
        start.say("ELM on a copy of the current model, in the session as \(name): \(forget.count) concept passages, \(retain.count) retain passages, \(pairs.count) prompt pairs; LoRA rank \(settings.rank) on layers \(settings.layers.map(String.init).joined(separator: ","))")
        return StartedRun(procedure, modelName: name, newModel: procedure.model)
    }

    /// The concept passages (the Holmes books) and retain passages (the original domain), from the
    /// training pools only, by the same token split as pretraining and every measurement; shuffled by the seed.
    static func passages(settings: ELMSettings, tokenizer: BPETokenizer) throws -> (forget: [String], retain: [String]) {
        func text(_ files: [String]) throws -> String {
            try TokenCorpus.trainingText(of: files, tokenizer: tokenizer, cacheDirectory: DataLayout.tokenCache).joined(separator: "\n\n")
        }
        let retainFiles = DataLayout.textFiles(in: DataLayout.originalDomainFolder)
        guard !retainFiles.isEmpty else { throw GPT2Error("elm: no text files under \(DataPaths.resolve(DataLayout.originalDomainFolder))") }
        var rng = RNG(seed: settings.seed)
        var forget = passages(from: try text(try DataLayout.holmesFiles(for: "elm")), characters: settings.passageCharacters)
        var retain = passages(from: try text(retainFiles), characters: settings.passageCharacters)
        rng.shuffle(&forget)
        rng.shuffle(&retain)
        return (forget, retain)
    }

    /// The pairs `elm config --pairs` chose, or the source lines the demo models were trained with.
    public static func promptPairs(_ settings: ELMSettings) throws -> [PromptPair] {
        guard let path = settings.pairs else { return PromptPair.sourceLinePairs }
        return try PromptPair.load(path: DataPaths.resolve(path), concept: settings.concept ?? ELMSettings.defaultConcept)
    }

    public static func noRunLines(_ settings: ELMSettings) -> [String] {
        ["no ELM run yet; `elm prepare` or `elm step` starts one on a copy of the current model"]
    }

    public func statusLines(modelName: String, last: Int) -> [String] {
        ["ELM model \(modelName): \(iteration) iterations, \(fluency.count) fluency continuations, adapters \(model.adapters == nil ? "merged" : "separate")"]
            + log.enumerated().suffix(max(0, last)).map { "  " + $0.element.line(iteration: $0.offset + 1) }
    }

    public var statusFields: [(String, JSONValue)] {
        [("iteration", .int(iteration)), ("log", .array(log.map(\.fields)))]
    }
}

extension ELMProcedure: SteppedProcedure {
    public static let stepHelp = ProcedureHelp(abstract: "One ELM iteration (erase, retain and fluency terms on one passage each).", examples: ["elm step"])
    public static let runHelp = ProcedureHelp(
        abstract: "Run N ELM iterations (progress; Ctrl-C stops between iterations; `elm run` continues).",
        examples: ["elm run 200 --every 20", "elm run 4000 --every 100 --out runs/elm.h5"],
        discussion: "A long run spans sittings: `elm resume PATH` then `elm run` continues it bit-exactly.")
    public static let figureHelp = "the three terms' losses over every iteration so far"
    public static let defaultEvery = 10
    public static let defaultSaveEvery = 100
    public static var startSettingFlags: [SettingFlag<ELMSettings>] { [] }

    public func prepareToStep(progress: (String) -> Void) throws {
        if fluency.isEmpty && settings.fluencyScale > 0 { try prepare(report: { done, total in progress("fluency data \(done)/\(total)") }) }
    }

    public func advance(progress: (Int, Int) -> Void) throws -> StepOutcome<ELMTermLosses> {
        try prepareToStep(progress: { _ in })
        return .completed(try step())
    }

    public func line(_ losses: ELMTermLosses) -> String { losses.line(iteration: iteration) }
    public func fields(_ losses: ELMTermLosses) -> [(String, JSONValue)] {
        [("erase", .number(losses.erase)), ("retain", .number(losses.retain)), ("fluency", .number(losses.fluency))]
    }

    /// The mean of each term over the iterations since the last line.
    public func runLine(_ window: [ELMTermLosses]) -> String {
        let n = Double(max(1, window.count))
        let mean = ELMTermLosses(erase: window.map(\.erase).reduce(0, +) / n, retain: window.map(\.retain).reduce(0, +) / n,
                                 fluency: window.map(\.fluency).reduce(0, +) / n)
        return mean.line(iteration: iteration) + " (mean of \(window.count))"
    }

    public func saveCheckpoint(to path: String) throws { try save(to: path) }
    public static let saveHelp = ProcedureHelp(
        abstract: "Save the ELM run in progress (base weights, adapters, optimizer, RNG, position) to resume later.",
        examples: ["elm save runs/elm.h5"],
        discussion: "`elm resume PATH` continues it exactly. To share the unlearned model, `elm merge` then `save PATH`.")
    public static let resumeHelp = ProcedureHelp(
        abstract: "Continue an ELM run saved with `elm save` or `elm run --out` (bit-exact: the same iterations follow).",
        examples: ["elm resume runs/elm.h5", "elm resume runs/elm.h5 --name elm-long"])

    /// `elm resume`: the run saved at `path`, its adapted model named `name`.
    public static func resume(from path: String, as name: String, data: String?, tokenizer: BPETokenizer) throws -> StartedRun<ELMProcedure> {
        let procedure = try resume(from: path, tokenizer: tokenizer)
        return StartedRun(procedure, modelName: name, newModel: procedure.model)
    }

    /// The three terms' losses over every iteration so far.
    public var figure: ProcedureFigure {
        func series(_ label: String, _ value: (ELMTermLosses) -> Double) -> (label: String, points: [(x: Double, y: Double)]) {
            (label, log.enumerated().map { (Double($0.offset + 1), value($0.element)) })
        }
        return ProcedureFigure(title: "ELM: the three terms per iteration", xLabel: "iteration", yLabel: "loss (nats)",
                               series: [series("erase", \.erase), series("retain", \.retain), series("fluency", \.fluency)])
    }
}

extension ELMTermLosses {
    /// The iteration as `elm step`, `elm run` and `elm status` print it.
    public func line(iteration: Int) -> String {
        String(format: "iteration %d: erase %.4f, retain %.4f, fluency %.4f", iteration, erase, retain, fluency)
    }

    public var fields: JSONValue { .object([("erase", .number(erase)), ("retain", .number(retain)), ("fluency", .number(fluency))]) }
}
