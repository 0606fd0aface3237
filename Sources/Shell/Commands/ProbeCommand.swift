// ProbeCommand.swift — `probe`: logistic regression on a model's frozen features.
import Autograd
import Foundation
import GPT2
import Procedures

enum ProbeCommand: Command {
    static let info = CommandInfo(
        name: "probe",
        abstract: "Linear probe: logistic regression on frozen features (last-token final hidden state by default).",
        flags: SentimentData.flags(train: true) + [
            FlagInfo("hook", value: "NAME", "hook point to read (default ln_final.hook_normalized; e.g. blocks.2.hook_resid_post)"),
            FlagInfo("pooling", value: "last|mean", "last real token (default) or mean over real tokens"),
            FlagInfo("c", value: "C", "fixed inverse L2 strength instead of choosing it by 5-fold cross-validation"),
            FlagInfo("seed", value: "S", "seed of the label shuffle of the control (default 0)"),
            FlagInfo("controls", value: "N", "average the control over N label permutations, with a bootstrap interval over permutations and reviews (default 1)"),
            FlagInfo("no-control", "skip the shuffled-label control")],
        examples: ["probe", "probe --hook blocks.1.hook_resid_post --pooling mean"],
        discussion: """
        Features are computed once per model state, data, hook and pooling, and cached in the session. The probe is \
        L2-regularised logistic regression on features standardised with the training set's statistics, fitted exactly \
        (Newton's method; the final gradient norm is reported); C is chosen from 1e-4 to 1e4 by stratified 5-fold \
        cross-validation on the training set, as scikit-learn's LogisticRegressionCV does. The control runs the same \
        pipeline on shuffled training labels: its test accuracy must be 0.5 within its interval, or the probe is \
        finding something other than the labels.
        """)

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let model = try context.session.model()
        let hook = try arguments.hookPoint("hook", layers: try context.session.model().config.layerCount, for: "probe") ?? .finalNormalized
        guard let pooling = Pooling(rawValue: arguments.string("pooling") ?? "last") else {
            throw UsageError("probe: --pooling expects last or mean")
        }
        let permutations = try arguments.int("controls", default: 1)
        guard (1...100).contains(permutations) else { throw UsageError("probe: --controls expects 1 to 100, got \(permutations)") }
        let train = try SentimentData.load(arguments, context, which: "train", defaultPath: SentimentData.defaultTrain, model: model)
        let test = try SentimentData.load(arguments, context, which: "test", defaultPath: SentimentData.defaultTest, model: model)
        let started = Date()
        let trainFeatures = try features(model, train, hook, pooling, context)
        let testFeatures = try features(model, test, hook, pooling, context)
        let fixedC = arguments.string("c") == nil ? nil : try arguments.double("c", default: 1)
        if let fixedC { guard fixedC > 0 else { throw UsageError("probe: --c must be positive, got \(fixedC)") } }
        func probe(_ labels: [Int32]) throws -> (c: Double, fitted: LogisticRegression.Fitted, cvAccuracy: Double?) {
            if let fixedC {
                var regression = LogisticRegression()
                regression.inverseRegularization = fixedC
                return (fixedC, try regression.fit(trainFeatures, labels: labels), nil)
            }
            let selection = try ProbeCrossValidation.select(trainFeatures, labels: labels)
            return (selection.inverseRegularization, selection.fitted, selection.scores.max())
        }
        if fixedC == nil { context.progress("choosing the L2 strength by 5-fold cross-validation") }
        let result = try probe(train.labels)
        context.endProgress()
        let trainAccuracy = result.fitted.accuracy(trainFeatures, labels: train.labels)
        let testAccuracy = result.fitted.accuracy(testFeatures, labels: test.labels)
        let testInterval = Intervals.wilson(successes: Int((testAccuracy * Double(test.count)).rounded()), trials: test.count)
        context.print(String(format: "probe on %@ (%@ pooling, %d features): train accuracy %.3f (%d), test accuracy %.3f [%.3f, %.3f] (%d)",
                             hook.description, pooling.rawValue, trainFeatures.width, trainAccuracy, train.count, testAccuracy, testInterval.lower, testInterval.upper, test.count))
        context.print(String(format: "C %.3g (%@), Newton converged in %d iterations (gradient norm %.1e)", result.c,
                             result.cvAccuracy.map { String(format: "5-fold cross-validation accuracy %.3f", $0) } ?? "fixed",
                             result.fitted.iterations, result.fitted.gradientNorm)
                      + (result.fitted.converged ? "" : "  NOT CONVERGED"))
        context.set("hook", .string(hook.description))
        context.set("pooling", .string(pooling.rawValue))
        context.set("c", .number(result.c))
        context.set("train_accuracy", .number(trainAccuracy))
        context.set("test_accuracy", .number(testAccuracy))
        context.set("test_accuracy_interval", .array([.number(testInterval.lower), .number(testInterval.upper)]))
        context.set("converged", .bool(result.fitted.converged))
        if !arguments.has("no-control") {
            var rng = RNG(seed: try arguments.seed(default: 0))
            var trainAccuracies: [Double] = [], hits: [[Double]] = []
            for index in 0..<permutations {
                context.progress("shuffled-label controls", done: index, of: permutations)
                var shuffled = train.labels
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.nextInt(below: i + 1)) }
                let control = try probe(shuffled)
                trainAccuracies.append(control.fitted.accuracy(trainFeatures, labels: shuffled))
                hits.append(zip(control.fitted.predict(testFeatures), test.labels).map { $0 == $1 ? 1 : 0 })
            }
            context.endProgress()
            let accuracy = hits.map { $0.reduce(0, +) / Double(max(1, $0.count)) }.reduce(0, +) / Double(permutations)
            // One permutation: the Wilson interval over test reviews; several: the bootstrap over permutations and reviews.
            let interval = permutations == 1 ? Intervals.wilson(successes: Int((accuracy * Double(test.count)).rounded()), trials: test.count)
                                             : Intervals.hierarchicalBootstrapMean(hits)
            let atChance = interval.lower <= 0.5 && 0.5 <= interval.upper
            context.print(String(format: "control, shuffled training labels%@: train accuracy %.3f, test accuracy %.3f [%.3f, %.3f] — %@",
                                 permutations == 1 ? "" : " (\(permutations) permutations)",
                                 trainAccuracies.reduce(0, +) / Double(permutations), accuracy, interval.lower, interval.upper,
                                 atChance ? "at chance, as it must be" : "NOT at chance: the probe finds something other than the labels"))
            context.set("control_test_accuracy", .number(accuracy))
            context.set("control_interval", .array([.number(interval.lower), .number(interval.upper)]))
            context.set("control_at_chance", .bool(atChance))
        }
        context.note(String(format: "probe took %.1f s", Date().timeIntervalSince(started)))
    }

    private static func features(_ model: GPT2Model, _ data: SentimentDataset, _ hook: HookPoint, _ pooling: Pooling,
                                 _ context: CommandContext) throws -> FeatureMatrix {
        let key = "\(model.weightFingerprint)|\(ObjectIdentifier(model).hashValue)#\(model.interventionRevision)|\(data.name)|\(data.count)|\(data.tokens.map(\.count).reduce(0, +))|\(hook)|\(pooling.rawValue)"
        if let cached = context.session.featureCache[key] { return cached }
        let computed = try FeatureExtractor.features(model: model, data: data, hook: hook, pooling: pooling,
                                                     progress: { context.progress("features of \(data.name)", done: $0, of: $1) })
        context.endProgress()
        context.session.featureCache[key] = computed
        return computed
    }
}
