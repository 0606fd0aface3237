// SophonEvalVerb.swift — `sophon eval`: a quick fine-tuning attack on a copy of the current model,
// and its held-out original-domain perplexity: is the protection holding, is the model intact?
import Autograd
import Foundation
import GPT2

public enum SophonEvalVerb: ProcedureVerb {
    public typealias Owner = SophonTrainer
    public static let verb = "eval"
    public static let abstract = "Quick check: fine-tune a copy (new head) on the restricted task, and measure original-domain perplexity."
    public static let flags = [FlagInfo("optimizer", value: "sgd|adam|adamw", "the attack's optimizer (default adamw)"),
                               FlagInfo("lr", value: "LR", "the attack's learning rate (default 1e-4)"),
                               FlagInfo("epochs", value: "N", "attack epochs (default 1)"),
                               FlagInfo("train-limit", value: "N", "attack training reviews (default 200 of imdb_short_train.tsv)"),
                               FlagInfo("test-limit", value: "N", "test reviews (default 200 of imdb_short_test.tsv)"),
                               FlagInfo("seed", value: "S", "attack seed (default 42)")]
    public static let examples = ["sophon eval", "sophon eval --optimizer sgd --lr 1e-3 --epochs 2"]

    public static func run(_ a: VerbArguments, _ context: VerbContext) throws {
        let model = try context.model()
        var settings = FineTuneSettings()
        if let name = a.string("optimizer") {
            guard let kind = OptimizerKind(rawValue: name) else { throw UsageError("sophon eval: --optimizer expects sgd, adam or adamw") }
            settings.optimizer = kind
        }
        settings.learningRate = try a.float("lr", default: 1e-4)
        settings.epochs = try a.int("epochs", default: 1)
        let seed = try a.seed("seed", default: 42)
        settings.seed = seed
        settings.evalEvery = 0
        do { try settings.validate() } catch { throw UsageError("\(error)") }
        let tokenizer = try context.tokenizer()
        func data(_ file: String, _ flag: String) throws -> SentimentDataset {
            let path = DataPaths.resolve(file)
            let limit = try a.int(flag, default: 200)
            guard limit >= 1 else { throw UsageError("sophon eval: --\(flag) must be at least 1") }
            return try SentimentDataset(name: URL(fileURLWithPath: path).lastPathComponent,
                                        texts: Array(try SentimentDataset.read(path).prefix(limit)), tokenizer: tokenizer,
                                        maxTokens: model.config.contextLength)
        }
        let train = try data(DataLayout.shortTrainReviews, "train-limit"), test = try data(DataLayout.shortTestReviews, "test-limit")
        var rng = RNG(seed: settings.seed)
        let classifier = SequenceClassifier(body: model.copy(), rng: &rng)
        let curve = try FineTuneAttack.run(classifier, train: train, test: test, settings: settings, report: { event in
            if case let .step(step, total, loss) = event { context.progress("attack", done: step, of: total, detail: String(format: "loss %.4f", loss)) }
        })
        context.endProgress()
        let original = try DataLayout.originalDomain(tokenizer: tokenizer)
        let heldOut = try OriginalDomain.heldOutLoss(model: model, corpus: original, windowsPerPart: 16)
        context.print("attack (\(settings.label), \(settings.epochs) epoch\(settings.epochs == 1 ? "" : "s") on \(train.count) reviews): test accuracy "
                      + curve.map { String(format: "%.3f", $0.testAccuracy) }.joined(separator: " → "))
        context.print(String(format: "held-out original-domain perplexity %.2f", exp(heldOut)))
        context.set("test_accuracy", .array(curve.map { .number($0.testAccuracy) }))
        context.set("heldout_perplexity", .number(exp(heldOut)))
    }
}
