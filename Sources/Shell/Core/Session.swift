// Session.swift — everything a shell session holds: models by name, the tokenizer, the seeded RNG, snapshots.
import Autograd
import Foundation
import GPT2
import Procedures

public final class Session {
    public private(set) var models: [String: GPT2Model] = [:]
    public private(set) var currentModelName: String?
    public private(set) var seed: UInt64
    /// The session's one random stream: sampling and anything else random draws from it.
    public var rng: RNG
    /// Named copies of a model's weights, for before/after comparisons.
    public var snapshots: [String: (model: String, weights: [String: [Float]])] = [:]
    /// Frozen features computed by `probe`, keyed by model state, data, hook and pooling.
    public var featureCache: [String: FeatureMatrix] = [:]
    /// Classification heads (`score.weight`, [classes, dModel]) kept with a model name.
    public var classifierHeads: [String: Tensor] = [:]
    /// The procedures' runs in progress, by procedure name (`sophon`, `elm`, `whp`), each with the
    /// name of the model it is bound to; and each procedure's settings for its next run.
    public private(set) var runs: [String: (modelName: String, procedure: any Procedure)] = [:]
    private var nextSettings: [String: any Sendable] = [:]

    public func settings<P: Procedure>(for kind: P.Type) -> P.Settings {
        nextSettings[P.name] as? P.Settings ?? P.Settings()
    }

    public func setSettings<P: Procedure>(_ settings: P.Settings, for kind: P.Type) { nextSettings[P.name] = settings }

    public func run<P: Procedure>(_ kind: P.Type) -> (modelName: String, procedure: P)? {
        runs[P.name].flatMap { entry in (entry.procedure as? P).map { (entry.modelName, $0) } }
    }

    /// Starts (or, with nil, forgets) `P`'s run.
    public func setRun<P: Procedure>(_ kind: P.Type, _ run: (modelName: String, procedure: P)?) {
        runs[P.name] = run.map { ($0.modelName, $0.procedure) }
    }

    private var loadedTokenizer: BPETokenizer?
    /// Where the default model (`gpt2-mini`) is looked for when a command needs a model and none is loaded.
    public var defaultModelPath: String?
    /// Where commands may write files (`lethe run` confines a replayed session to the current folder).
    public var writePolicy = WritePolicy.anywhere
    /// Writes refused by ``writePolicy`` so far, for the summary at the end of a replay.
    public internal(set) var refusedWrites: [String] = []

    public init(seed: UInt64 = 0, defaultModelPath: String? = Session.findDefaultModel()) {
        self.seed = seed
        rng = RNG(seed: seed)
        self.defaultModelPath = defaultModelPath
    }

    /// Re-seeds the session (`%seed N`): the same script and seed give the same numbers.
    public func reseed(_ seed: UInt64) {
        self.seed = seed
        rng = RNG(seed: seed)
    }

    public func tokenizer() throws -> BPETokenizer {
        if let loadedTokenizer { return loadedTokenizer }
        let t = try BPETokenizer.bundled()
        loadedTokenizer = t
        return t
    }

    public func setTokenizer(_ t: BPETokenizer) { loadedTokenizer = t }

    /// The current model; loads the bundled `gpt2-mini` on first use when nothing else is loaded.
    public func model() throws -> GPT2Model {
        if let name = currentModelName, let m = models[name] { return m }
        guard let path = defaultModelPath else {
            throw UsageError("no model loaded (expected `load model PATH`; the bundled gpt2-mini was not found)")
        }
        let m = try GPT2Model.load(from: path)
        add(m, name: "gpt2-mini")
        return m
    }

    public var currentName: String? { currentModelName }

    /// A model of the session by name, or else the shipped `models/NAME/tf_model.h5` (read, not added),
    /// for commands that compare several models without changing the current one.
    func model(named name: String, for command: String) throws -> GPT2Model {
        if let loaded = models[name] { return loaded }
        let path = DataPaths.resolve("models/\(name)/tf_model.h5")
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageError("\(command): no model named \(name) (loaded: \(models.keys.sorted().joined(separator: ", ")); nor models/\(name)/tf_model.h5)")
        }
        return try GPT2Model.load(from: path)
    }

    public func add(_ model: GPT2Model, name: String) {
        models[name] = model
        currentModelName = name
    }

    public func use(_ name: String) throws {
        guard models[name] != nil else {
            throw UsageError("no model named \(name) (loaded: \(models.keys.sorted().joined(separator: ", ")))")
        }
        currentModelName = name
    }

    /// `models/gpt2-mini/tf_model.h5`, found as every data path is (``DataPaths``): in the current
    /// folder, under `$LETHE_HOME`, or above the executable; as an absolute path.
    public static func findDefaultModel() -> String? {
        let path = DataPaths.resolve(DataLayout.defaultModel)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
