// ELMCheckpoint.swift — an ELM run on disk: the frozen base weights in the tf_model.h5 layout, the
// LoRA adapters, their AdamW state and the gradients accumulated since the last update, the fluency
// data, the RNG and the position, so a run of thousands of updates continues exactly where it stopped.
import Autograd
import Foundation
import GPT2

extension ELMProcedure {
    struct SavedState: Codable {
        var settings: ELMSettings
        var iteration: Int
        var rng: [UInt64]
        var log: [ELMTermLosses]
        var fluencyPrompts: [[Int32]]
        var fluencyContinuations: [[Int32]]
        /// What the passages and prompt pairs were (counts and a digest): a resume on different data is refused.
        var forgetCount: Int
        var retainCount: Int
        var passageDigest: UInt64
    }

    /// FNV-1a over every passage, in order: cheap, and changes with any edit of the data.
    static func digest(_ forget: [String], _ retain: [String], _ pairs: [PromptPair]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for passage in forget + ["\u{0}"] + retain + ["\u{0}"] + pairs.flatMap({ [$0.expert, $0.novice] }) {
            for byte in passage.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
        }
        return hash
    }

    /// Writes everything a resume needs. The weights are the base model's (the adapters are kept
    /// apart, under `lora/`); `elm merge` then `save` gives the unlearned model as a plain GPT-2.
    public func save(to path: String) throws {
        guard model.adapters != nil else { throw GPT2Error("elm: the adapters are merged; there is no run to save (`save PATH` writes the merged model)") }
        var extras = adapters.extras
        for (key, values) in optimizer.state() { extras["elm/adam/" + key] = ([values.count], values) }
        for p in adapters.parameters { if let grad = p.tensor.grad { extras["elm/grad/" + p.name] = ([grad.count], grad) } }
        let state = SavedState(settings: settings, iteration: iteration, rng: rng.stateWords, log: log,
                               fluencyPrompts: fluency.map(\.prompt), fluencyContinuations: fluency.map(\.continuation),
                               forgetCount: forget.count, retainCount: retain.count, passageDigest: Self.digest(forget, retain, pairs))
        let attributes = ["elm": try StableJSON.string(state)]
        try model.save(to: path, extras: extras, attributes: attributes)
    }

    /// Continues a run saved by ``save(to:)``: the same passages are rebuilt from the data files (and
    /// checked against the saved digest), the adapters, optimizer, gradients and RNG restored.
    public static func resume(from path: String, tokenizer: BPETokenizer) throws -> ELMProcedure {
        guard let json = try GPT2Model.loadAttribute("elm", from: path),
              let state = try? JSONDecoder().decode(SavedState.self, from: Data(json.utf8)) else {
            throw GPT2Error("\(path): no ELM state to resume (not saved by `elm save`)")
        }
        let model = try GPT2Model.load(from: path)
        let (forget, retain) = try passages(settings: state.settings, tokenizer: tokenizer)
        let pairs = try promptPairs(state.settings)
        guard forget.count == state.forgetCount, retain.count == state.retainCount, digest(forget, retain, pairs) == state.passageDigest else {
            throw GPT2Error("\(path): the concept or retain data or the prompt pairs changed since the run was saved (\(forget.count)/\(retain.count) passages now, \(state.forgetCount)/\(state.retainCount) then)")
        }
        let procedure = try ELMProcedure(model: model, tokenizer: tokenizer, forget: forget, retain: retain, pairs: pairs, settings: state.settings)
        let extras = try GPT2Model.loadExtras(from: path)
        for p in procedure.adapters.parameters {
            guard let saved = extras["lora/" + p.name], saved.values.count == p.tensor.count else {
                throw GPT2Error("\(path): adapter lora/\(p.name) is missing or has the wrong size (expected \(p.tensor.shape))")
            }
            p.tensor.data = saved.values
            if let grad = extras["elm/grad/" + p.name] {
                guard grad.values.count == p.tensor.count else { throw GPT2Error("\(path): elm/grad/\(p.name) has the wrong size") }
                p.tensor.grad = grad.values
            }
        }
        var optimizerState: [String: [Float]] = [:]
        for (key, value) in extras where key.hasPrefix("elm/adam/") { optimizerState[String(key.dropFirst("elm/adam/".count))] = value.values }
        do { try procedure.optimizer.load(state: optimizerState) } catch { throw GPT2Error("\(path): \(error)") }
        guard let rng = RNG(stateWords: state.rng), state.fluencyPrompts.count == state.fluencyContinuations.count else {
            throw GPT2Error("\(path): damaged ELM state (RNG or fluency data)")
        }
        procedure.rng = rng
        procedure.iteration = state.iteration
        procedure.log = state.log
        procedure.fluency = Array(zip(state.fluencyPrompts, state.fluencyContinuations)).map { (prompt: $0.0, continuation: $0.1) }
        return procedure
    }
}
