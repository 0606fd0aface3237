// ELMProcedure.swift — Erasure of Language Memory (Gandikota et al. 2024) on GPT-2: a LoRA adapter
// trained with three terms — erase (soft CE to the ELM target on concept text), retain (CE to the
// frozen model's own argmax on other text), fluency (CE on guided, deflecting continuations of
// concept text, generated once by the frozen model). Each term is logged; each has a scale.
import Autograd
import Foundation
import GPT2

public struct ELMSettings: Codable, Sendable, Equatable {
    public var rank = 4
    public var alpha: Float = 16
    public var dropout: Float = 0.05
    /// Early blocks, as the paper prefers (its 4 of 32 layers at 12–25% depth).
    public var layers = [1, 2, 3]
    public var modules = LoRAAdapters.Projection.allCases
    public var learningRate: Float = 1e-3
    public var target = ELMTargetSettings()
    public var eraseScale: Float = 1
    public var retainScale: Float = 1
    /// The retain term's teacher: the frozen model's argmax (the code's hard self-distillation) or its
    /// whole distribution (KL(frozen ‖ adapted), zero at the start). Hard labels sharpen the model's
    /// predictions on retain text; on a small model that alone raises perplexity (measured).
    public var softRetain = false
    public var fluencyScale: Float = 1
    /// Iterations per optimizer step (the code: 4).
    public var accumulation = 4
    /// Concept and retain passages are cut to this many characters (the code: 700).
    public var passageCharacters = 700
    /// Fluency data: how many guided continuations, how long, and the guidance γ (the code: 3).
    public var fluencySamples = 24
    public var fluencyTokens = 48
    public var guidance: Float = 3
    public var seed: UInt64 = 11
    /// The concept put into instruction-style prompt pairs (nil: ``defaultConcept``), and the pairs
    /// file (nil: the source lines the demo models learned, ``PromptPair/sourceLinePairs``).
    public var concept: String?
    public var pairs: String?
    public init() {}

    public static let defaultConcept = "Sherlock Holmes, Dr. Watson, Baker Street, detective stories, or any other lore by Arthur Conan Doyle"
    /// Expert/novice pairs for instruction-tuned models, with a {concept} placeholder.
    public static let instructionPairs = DataLayout.elmPromptPairs

    public func validate() throws {
        guard rank >= 1, alpha > 0, learningRate > 0, accumulation >= 1, passageCharacters >= 50, fluencySamples >= 1, fluencyTokens >= 1 else {
            throw GPT2Error("elm: rank, alpha, lr, accumulation and fluency sizes must be positive; passages at least 50 characters")
        }
        guard eraseScale >= 0, retainScale >= 0, fluencyScale >= 0, target.eta >= 0, target.temperature > 0, target.topK >= 1 else {
            throw GPT2Error("elm: scales and eta must be ≥ 0, temperature > 0, top-k ≥ 1")
        }
    }
}

/// An expert/novice prefix pair with the concept filled in.
public struct PromptPair: Sendable, Equatable {
    public let expert: String
    public let novice: String
    public init(expert: String, novice: String) { self.expert = expert; self.novice = novice }

    /// The demo models' own pairs: the Holmes books' source lines against the other novels', the
    /// lines `gpt2-mini` saw before its windows in pretraining (``SourceLines``).
    public static var sourceLinePairs: [PromptPair] {
        zip(SourceLines.holmes, SourceLines.novel).map { PromptPair(expert: $0, novice: $1) }
    }

    /// `elm_prompt_pairs.json`: `pairs` of `{expert, novice}` with a `{concept}` placeholder.
    public static func load(path: String, concept: String) throws -> [PromptPair] {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let pairs = root["pairs"] as? [[String: Any]] else {
            throw GPT2Error("\(path): expected a JSON object with a \"pairs\" list of {expert, novice}")
        }
        let list = pairs.compactMap { p -> PromptPair? in
            guard let e = p["expert"] as? String, let n = p["novice"] as? String else { return nil }
            return PromptPair(expert: e.replacingOccurrences(of: "{concept}", with: concept), novice: n.replacingOccurrences(of: "{concept}", with: concept))
        }
        guard !list.isEmpty else { throw GPT2Error("\(path): no expert/novice pairs") }
        return list
    }
}

public struct ELMTermLosses: Codable, Sendable, Equatable {
    public var erase: Double, retain: Double, fluency: Double
    public init(erase: Double, retain: Double, fluency: Double) { self.erase = erase; self.retain = retain; self.fluency = fluency }
}

public final class ELMProcedure {
    public let model: GPT2Model          // the adapted model; `adapters.enabled = false` is the frozen teacher
    public let adapters: LoRAAdapters
    public private(set) var settings: ELMSettings
    public let forget: [String]
    public let retain: [String]
    public let pairs: [PromptPair]
    public static let deflections = ["Let us leave that subject and talk about something else,",
                                     "Changing the subject to something more pleasant,",
                                     "I would rather not go into that; instead,",
                                     "Setting that aside, here is a different story:"]
    public internal(set) var fluency: [(prompt: [Int32], continuation: [Int32])] = []
    public internal(set) var iteration = 0
    public internal(set) var log: [ELMTermLosses] = []
    let optimizer: Adam
    private let tokenizer: BPETokenizer
    var rng: RNG

    /// Attaches fresh adapters to `model` (trained in place: pass a copy to keep the original).
    public init(model: GPT2Model, tokenizer: BPETokenizer, forget: [String], retain: [String], pairs: [PromptPair], settings: ELMSettings) throws {
        try settings.validate()
        guard !forget.isEmpty, !retain.isEmpty, !pairs.isEmpty else { throw GPT2Error("elm: forget passages, retain passages and prompt pairs are all needed") }
        var rng = RNG(seed: settings.seed)
        let adapters = try LoRAAdapters(config: model.config, layers: settings.layers, modules: settings.modules, rank: settings.rank,
                                        alpha: settings.alpha, dropout: settings.dropout, rng: &rng)
        model.adapters = adapters
        model.parameters.setTrainable(false)   // only the adapters learn
        self.model = model
        self.adapters = adapters
        self.settings = settings
        self.forget = forget
        self.retain = retain
        self.pairs = pairs
        self.tokenizer = tokenizer
        self.rng = rng
        optimizer = Adam.adamW(adapters.parameters, weightDecay: 0.01)
    }

    /// Cuts text into passages of at most `characters` characters at line breaks.
    public static func passages(from text: String, characters: Int) -> [String] {
        var out: [String] = [], current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current.count + line.count + 1 > characters && current.count >= 50 { out.append(current); current = "" }
            current += (current.isEmpty ? "" : "\n") + line
        }
        if current.count >= 50 { out.append(String(current.prefix(characters))) }
        return out.map { String($0.prefix(characters)).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.count >= 50 }
    }

    private func tokens(_ text: String, limit: Int) -> [Int32] { Array(tokenizer.encode(text).prefix(max(0, limit))) }

    // MARK: - Fluency data, generated once by the frozen model

    /// New settings for the next updates; the adapter's shape, the data and the seed are fixed once started.
    public func update(_ newSettings: ELMSettings) throws {
        try newSettings.validate()
        try ELMSettings.flags.checkFixed(from: settings, to: newSettings, procedure: "elm")
        settings = newSettings
    }

    /// Guided continuations of concept passages: at each step the frozen model's next-token
    /// log-probabilities on `passage. deflection` minus γ·(expert − novice) on the generated text alone.
    public func prepare(shouldStop: () -> Bool = { Interrupt.isRequested }, report: (Int, Int) -> Void = { _, _ in }) throws {
        try frozen { try generateFluency(shouldStop: shouldStop, report: report) }
    }

    /// Runs `body` on the frozen teacher (the adapters off), and turns them back on even when it throws.
    private func frozen<T>(_ body: () throws -> T) rethrows -> T {
        let enabled = adapters.enabled
        adapters.enabled = false
        defer { adapters.enabled = enabled }
        return try body()
    }

    private func generateFluency(shouldStop: () -> Bool, report: (Int, Int) -> Void) throws {
        let context = model.config.contextLength
        while fluency.count < settings.fluencySamples {
            if shouldStop() { throw Interrupted("elm prepare: stopped after \(fluency.count) of \(settings.fluencySamples) continuations") }
            let k = fluency.count
            let passage = forget[k % forget.count]
            let cut = String(passage.prefix(50 + rng.nextInt(below: max(1, min(300, passage.count) - 49))))
            let deflection = ELMProcedure.deflections[rng.nextInt(below: ELMProcedure.deflections.count)]
            let pair = pairs[rng.nextInt(below: pairs.count)]
            let budget = context - settings.fluencyTokens - 1
            guard budget >= 16 else {
                throw GPT2Error("elm prepare: \(settings.fluencyTokens) fluency tokens leave no room for a prompt in the context of \(context)")
            }
            let prompt = tokens(cut + ". " + deflection, limit: budget)
            let expert = tokens(pair.expert.replacingOccurrences(of: ":\n", with: ""), limit: budget)
            let novice = tokens(pair.novice.replacingOccurrences(of: ":\n", with: ""), limit: budget)
            var main = KVCache(model: model), expertCache = KVCache(model: model), noviceCache = KVCache(model: model)
            var zMain = try GradMode.withNoGrad { try main.append(prompt) }
            var zExpert = try GradMode.withNoGrad { try expertCache.append(expert) }
            var zNovice = try GradMode.withNoGrad { try noviceCache.append(novice) }
            var generated: [Int32] = []
            for _ in 0..<settings.fluencyTokens {
                let lm = LogProbabilities.rows(zMain[...], rows: 1, vocab: zMain.count)
                let le = LogProbabilities.rows(zExpert[...], rows: 1, vocab: zExpert.count)
                let ln = LogProbabilities.rows(zNovice[...], rows: 1, vocab: zNovice.count)
                var weights = [Double](repeating: 0, count: lm.count)
                var maxScore = -Double.infinity
                for v in 0..<lm.count { weights[v] = lm[v] - Double(settings.guidance) * (le[v] - ln[v]); maxScore = max(maxScore, weights[v]) }
                var total = 0.0
                for v in 0..<weights.count { weights[v] = exp(weights[v] - maxScore); total += weights[v] }
                var u = rng.nextDouble() * total, token = Int32(weights.count - 1)
                for (v, w) in weights.enumerated() { u -= w; if u < 0 { token = Int32(v); break } }
                if token == BPETokenizer.endOfTextID { break }
                generated.append(token)
                zMain = try GradMode.withNoGrad { try main.append([token]) }
                zExpert = try GradMode.withNoGrad { try expertCache.append([token]) }
                zNovice = try GradMode.withNoGrad { try noviceCache.append([token]) }
            }
            fluency.append((prompt, generated))
            report(fluency.count, settings.fluencySamples)
        }
    }

    // MARK: - One iteration

    /// One iteration: one concept passage, one retain passage, one fluency sequence; an optimizer
    /// step every `accumulation` iterations. Returns the three (unscaled) losses.
    public func step() throws -> ELMTermLosses {
        guard !fluency.isEmpty || settings.fluencyScale == 0 else { throw GPT2Error("elm: no fluency data yet (run `elm prepare` first)") }
        let k = iteration
        let pair = pairs[rng.nextInt(below: pairs.count)]
        let expert = tokenizer.encode(pair.expert), novice = tokenizer.encode(pair.novice)
        let room = model.config.contextLength - max(expert.count, novice.count)
        guard room >= 8 else {
            throw GPT2Error("elm: the expert/novice prefixes (\(max(expert.count, novice.count)) tokens) leave no room for a passage in the context of \(model.config.contextLength)")
        }
        // (1) Erase: soft CE of the adapted model to the ELM target on a concept passage.
        let x = tokens(forget[k % forget.count], limit: room)
        let target = try ELMTarget.target(frozen: model, text: x, expert: expert, novice: novice, settings: settings.target)
        let student = try model.logits(fromHidden: model.hiddenStates(TokenBatch(sequences: [x]), training: true, rng: &rng))
        let erase = softCrossEntropy(reshape(student, [x.count, model.config.vocabSize]), targets: target)
        scale(erase, settings.eraseScale / Float(settings.accumulation)).backward()
        // (2) Retain: CE to the frozen model's own greedy predictions on other text.
        let r = tokens(retain[k % retain.count], limit: model.config.contextLength)
        let frozenLogits = try frozen { try GradMode.withNoGrad { try model.logits(TokenBatch(sequences: [r])) } }
        let vocab = model.config.vocabSize
        let retainHidden = try model.hiddenStates(TokenBatch(sequences: [r]), training: true, rng: &rng)
        let retainLoss: Tensor
        if settings.softRetain {
            retainLoss = divergenceFromTeacher(model.logits(fromHidden: retainHidden), teacherLogits: frozenLogits)
        } else {
            let greedy: [Int32] = (0..<r.count).map { t in
                var best = 0
                for v in 1..<vocab where frozenLogits.data[t * vocab + v] > frozenLogits.data[t * vocab + best] { best = v }
                return Int32(best)
            }
            retainLoss = projectedCrossEntropy(retainHidden, weight: model.wte, targets: greedy)
        }
        scale(retainLoss, settings.retainScale / Float(settings.accumulation)).backward()
        // (3) Fluency: next-token CE on the guided continuation only (the prompt is masked).
        var fluencyValue = 0.0
        if !fluency.isEmpty && settings.fluencyScale > 0 {
            let sample = fluency[k % fluency.count]
            let sequence = Array((sample.prompt + sample.continuation).prefix(model.config.contextLength))
            var targets = [Int32](repeating: ignoreIndex, count: sequence.count)
            for t in max(0, sample.prompt.count - 1)..<(sequence.count - 1) { targets[t] = sequence[t + 1] }
            if targets.contains(where: { $0 != ignoreIndex }) {
                let hidden = try model.hiddenStates(TokenBatch(sequences: [sequence]), training: true, rng: &rng)
                let loss = projectedCrossEntropy(hidden, weight: model.wte, targets: targets)
                scale(loss, settings.fluencyScale / Float(settings.accumulation)).backward()
                fluencyValue = Double(loss.item)
            }
        }
        let losses = ELMTermLosses(erase: Double(erase.item), retain: Double(retainLoss.item), fluency: fluencyValue)
        guard losses.erase.isFinite, losses.retain.isFinite, losses.fluency.isFinite else {
            adapters.parameters.zeroGrad()
            throw GPT2Error("elm: a loss became non-finite (\(losses)); lower the learning rate or the scales")
        }
        iteration += 1
        if iteration % settings.accumulation == 0 {
            optimizer.step(learningRate: settings.learningRate)
            adapters.parameters.zeroGrad()
        }
        log.append(losses)
        return losses
    }

    /// Folds the adapters into the weights and removes them: the model is a plain GPT-2 again.
    public func merge() {
        adapters.merge(into: model)
        model.adapters = nil
        model.parameters.setTrainable(true)
        model.history.append("ELM: \(iteration) iterations, LoRA rank \(settings.rank) on layers \(settings.layers) merged")
    }
}
