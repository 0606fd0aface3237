// ProbeCommand.swift — `probe`: logistic regression on a model's frozen features.
import Foundation
import GPT2
import Procedures

enum ProbeCommand: Command {
    static let info = CommandInfo(
        name: "probe",
        abstract: "Linear probe: logistic regression on frozen features (last-token final hidden state by default).",
        usage: "probe [--hook NAME] [--pooling last|mean] [--train PATH] [--test PATH] [...]",
        flags: SentimentData.flags(train: true) + [
            FlagInfo("hook", value: "NAME", "hook point to read (default ln_final.hook_normalized; e.g. blocks.2.hook_resid_post)"),
            FlagInfo("pooling", value: "last|mean", "last real token (default) or mean over real tokens"),
            FlagInfo("iterations", value: "N", "full-batch Adam iterations (default 300)"),
            FlagInfo("l2", value: "L", "L2 penalty on the weights (default 1e-3)")],
        examples: ["probe", "probe --hook blocks.1.hook_resid_post --pooling mean"],
        discussion: "Features are computed once per model state, data, hook and pooling, and cached in the session.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let hook = arguments.string("hook") ?? "ln_final.hook_normalized"
        guard let pooling = Pooling(rawValue: arguments.string("pooling") ?? "last") else {
            throw UsageError("probe: --pooling expects last or mean")
        }
        let train = try SentimentData.load(arguments, context, which: "train", defaultPath: SentimentData.defaultTrain, model: model)
        let test = try SentimentData.load(arguments, context, which: "test", defaultPath: SentimentData.defaultTest, model: model)
        var regression = LogisticRegression()
        regression.iterations = max(1, try arguments.int("iterations", default: 300))
        regression.l2 = try arguments.float("l2", default: 1e-3)
        let started = Date()
        let trainFeatures = try features(model, train, hook, pooling, context)
        let testFeatures = try features(model, test, hook, pooling, context)
        let fitted = try regression.fit(trainFeatures, labels: train.labels)
        let trainAccuracy = fitted.accuracy(trainFeatures, labels: train.labels)
        let testAccuracy = fitted.accuracy(testFeatures, labels: test.labels)
        let testInterval = Intervals.wilson(successes: Int((testAccuracy * Double(test.count)).rounded()), trials: test.count)
        context.print(String(format: "probe on %@ (%@ pooling, %d features): train accuracy %.3f (%d), test accuracy %.3f [%.3f, %.3f] (%d)",
                             hook, pooling.rawValue, trainFeatures.width, trainAccuracy, train.count, testAccuracy, testInterval.lower, testInterval.upper, test.count))
        context.note(String(format: "probe took %.1f s", Date().timeIntervalSince(started)))
        context.set("hook", .string(hook))
        context.set("pooling", .string(pooling.rawValue))
        context.set("train_accuracy", .number(trainAccuracy))
        context.set("test_accuracy", .number(testAccuracy))
        context.set("test_accuracy_interval", .array([.number(testInterval.lower), .number(testInterval.upper)]))
    }

    private static func features(_ model: GPT2Model, _ data: SentimentDataset, _ hook: String, _ pooling: Pooling,
                                 _ context: CommandContext) throws -> FeatureMatrix {
        let key = "\(model.weightFingerprint)|\(data.name)|\(data.count)|\(data.tokens.map(\.count).reduce(0, +))|\(hook)|\(pooling.rawValue)"
        if let cached = context.session.featureCache[key] { return cached }
        let computed = try FeatureExtractor.features(model: model, data: data, hook: hook, pooling: pooling)
        context.session.featureCache[key] = computed
        return computed
    }
}
