// FinetuneCommand.swift — `finetune`: the fine-tuning attack (full or partial), its learning curve,
// sweeps over optimizers and learning rates, and the from-scratch baseline.
import Autograd
import Foundation
import GPT2
import Procedures

enum FinetuneCommand: Command {
    static let info = CommandInfo(
        name: "finetune",
        abstract: "Fine-tune a copy of the model as a sentiment classifier and report test accuracy along the way.",
        flags: SentimentData.flags(train: true) + [
            FlagInfo("optimizer", value: "sgd|adam|adamw", "optimizer (default adamw, the notebook's)"),
            FlagInfo("lr", value: "LR", "peak learning rate (default 2e-5, the notebook's)"),
            FlagInfo("momentum", value: "M", "SGD momentum (default 0.9)"),
            FlagInfo("batch", value: "B", "reviews per update (default 8)"),
            FlagInfo("epochs", value: "N", "passes over the training set (default 3)"),
            FlagInfo("steps", value: "N", "stop after N updates instead"),
            FlagInfo("weight-decay", value: "W", "weight decay on matrices (default 0.01)"),
            FlagInfo("warmup", value: "N", "linear warm-up updates (default 0)"),
            FlagInfo("schedule", value: "linear|constant", "linear decay to 0 (default) or constant"),
            FlagInfo("clip", value: "C", "gradient-norm clip, 0 = none (default 1)"),
            FlagInfo("seed", value: "S", "seed of head, shuffling and dropout (default 42)"),
            FlagInfo("seeds", value: "N", "run every attack with seeds S, S+1, …, S+N−1 (default 1); intervals then cover the seeds too"),
            FlagInfo("head", value: "reinit|keep", "new head (default) or the model's stored head"),
            FlagInfo("trainable", value: "all|head|last:K|lora:R", "what trains (default all; lora:R adds rank-R adapters to every projection and trains them with the head)"),
            FlagInfo("eval-every", value: "N", "test every N updates (default: every epoch)"),
            FlagInfo("horizon", value: "A", "also each attack's protection horizon: the steps through which its accuracy stays at or below A (upper end of the interval), where its mean first exceeds A, and from where on it ties the first model (use with --eval-every)"),
            FlagInfo("sweep", "run every --optimizers × --lrs combination"),
            FlagInfo("grid", "the calibration grid: SGD-momentum 1e-3/1e-2, Adam 1e-4/1e-3, AdamW 1e-4/1e-3 (weight decay 0.01) × whole model, head only, LoRA rank 8 × new head (and kept head for models that have one)"),
            FlagInfo("optimizers", value: "LIST", "sweep, grid: comma-separated (default sgd,adam,adamw)"),
            FlagInfo("lrs", value: "LIST", "sweep: comma-separated learning rates (default 2e-5,1e-4)"),
            FlagInfo("scratch", "also run each recipe on a randomly initialised model of the same shape"),
            FlagInfo("models", value: "LIST", "attack each of these loaded models (comma-separated) with each recipe, in one table"),
            FlagInfo("plot", value: "FILE.svg", "write the learning curves as an SVG chart (with --cost, also FILE-cost.svg)"),
            FlagInfo("cost", value: "MODEL", "also each attacked model's original-domain perplexity against MODEL, paired over 32 held-out windows, and with --plot a figure of protection against that cost"),
            FlagInfo("keep", value: "NAME", "keep the fine-tuned model (and head) in the session as NAME")],
        examples: ["finetune", "finetune --optimizer adamw --lr 1e-4 --epochs 3 --plot curves/original.svg",
                   "finetune --sweep --lrs 1e-4,1e-3 --epochs 2 --scratch", "finetune --trainable head --lr 1e-2"],
        discussion: """
        Every run trains a copy: the session's model is unchanged unless --keep names the result. After the runs, each \
        attack's accuracy at every evaluation is given with a 95% interval (percentile bootstrap over test reviews, and \
        over seeds with --seeds), and whether the attack teaches the first model at all (every seed: final train loss \
        below 0.4 and test accuracy 0.70 or more). An attack that does not cannot measure protection, and the other \
        models' rows say so. A difference whose intervals overlap is a tie.
        """)

    struct Run {
        let label: String
        let curve: [CurvePoint]
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let current = try context.session.model()
        let names = arguments.string("models").map { $0.split(separator: ",").map(String.init) } ?? [context.session.currentName ?? "model"]
        let models = try names.map { name -> (String, GPT2Model) in
            guard let model = name == context.session.currentName ? current : context.session.models[name] else {
                throw UsageError("finetune: no model named \(name) (loaded: \(context.session.models.keys.sorted().joined(separator: ", ")))")
            }
            guard model.config == current.config || names.count == 1 else {
                throw UsageError("finetune --models: \(name) has a different shape from the current model")
            }
            return (name, model)
        }
        let base = try settings(arguments)
        let train = try SentimentData.load(arguments, context, which: "train", defaultPath: SentimentData.defaultTrain, model: current)
        let test = try SentimentData.load(arguments, context, which: "test", defaultPath: SentimentData.defaultTest, model: current)
        var recipes = [base]
        if arguments.has("grid") {
            recipes = FineTuneSettings.attackGrid(base: base, keptHead: models.contains { context.session.classifierHeads[$0.0] != nil })
            if let wanted = arguments.string("optimizers")?.split(separator: ",").map(String.init) {   // a part of the grid (to split it over cores)
                guard wanted.allSatisfy({ OptimizerKind(rawValue: $0) != nil }) else { throw UsageError("finetune: --optimizers expects some of sgd, adam, adamw") }
                recipes = recipes.filter { wanted.contains($0.optimizer.rawValue) }
            }
        } else if arguments.has("sweep") {
            recipes = []
            for name in (arguments.string("optimizers") ?? "sgd,adam,adamw").split(separator: ",") {
                guard let kind = OptimizerKind(rawValue: String(name)) else { throw UsageError("finetune: unknown optimizer \(name) (expected sgd, adam or adamw)") }
                for lrText in (arguments.string("lrs") ?? "2e-5,1e-4").split(separator: ",") {
                    guard let lr = Float(lrText), lr > 0 else { throw UsageError("finetune: --lrs expects numbers, got '\(lrText)'") }
                    var s = base; s.optimizer = kind; s.learningRate = lr
                    recipes.append(s)
                }
            }
        }
        // Paths are checked before hours of training, not after.
        let plotPath = try arguments.string("plot").map { try context.session.writablePath($0, for: "finetune --plot") }
        if arguments.has("keep"), case .lora = base.trainable {
            throw UsageError("finetune: --keep does not work with --trainable lora:R (the adapters are not part of a saved model)")
        }
        let costPlotPath = try arguments.string("plot").flatMap { plot in
            arguments.has("cost") ? try context.session.writablePath(costFigurePath(plot), for: "finetune --plot") : nil
        }
        let horizonThreshold = arguments.has("horizon") ? try arguments.double("horizon", default: 0.6) : nil
        if let horizonThreshold, !(0.5..<1).contains(horizonThreshold) {
            throw UsageError("finetune: --horizon expects an accuracy from 0.5 to below 1, got \(horizonThreshold)")
        }
        let seedCount = try arguments.int("seeds", default: 1)
        guard (1...100).contains(seedCount) else { throw UsageError("finetune: --seeds expects 1 to 100, got \(seedCount)") }
        let costs = try arguments.string("cost").map { try FinetuneCommand.costs(of: models, baseline: $0, context) }
        context.print("fine-tuning \(names.joined(separator: ", ")) on \(train.count) reviews of \(train.name), testing on \(test.count) of \(test.name)"
                      + (seedCount > 1 ? ", \(seedCount) seeds each" : ""))
        var runs: [Run] = []
        var groups: [(label: String, model: String, recipe: String, curves: [[CurvePoint]])] = []
        var kept: SequenceClassifier?
        /// The table (and chart) of the attacks measured so far.
        func summarize() -> (summaries: [AttackSummary], chart: [CurveSeries]) {
            let summaries = groups.map { AttackSummary(label: $0.label, curves: $0.curves) }
            // Each attack's reference: the first model attacked with the same recipe.
            let references = groups.map { group in groups.firstIndex { $0.recipe == group.recipe } ?? 0 }
            // With several seeds the charts show each attack's mean curve, not every seed's.
            let chartLines = seedCount > 1 ? summaries.map {
                CurveSeries(label: $0.label, points: Array(zip($0.epochs, $0.estimates.map(\.value))), band: $0.estimates.map { ($0.lower, $0.upper) })
            } : series(runs)
            report(runs, chart: chartLines, context)
            reportIntervals(summaries, references: references, seeds: seedCount, testCount: test.count, context)
            if let horizonThreshold { reportHorizons(summaries, references: references, threshold: horizonThreshold, context) }
            return (summaries, chartLines)
        }
        do {
            for recipe in recipes {
                var targets = models.map { (name: $0.0, model: Optional($0.1)) }
                if arguments.has("scratch") { targets.append((name: "scratch", model: nil)) }
                for target in targets {
                    // A kept head needs a head to keep: models without one skip those recipes.
                    if !recipe.reinitializeHead, target.model == nil || context.session.classifierHeads[target.name] == nil, arguments.has("grid") { continue }
                    let label = "\(target.name) \(recipe.label)"
                    var curves: [[CurvePoint]] = []
                    for offset in 0..<seedCount {
                        var seeded = recipe
                        seeded.seed = recipe.seed &+ UInt64(offset)
                        let runLabel = seedCount > 1 ? "\(label) seed \(seeded.seed)" : label
                        let classifier: SequenceClassifier
                        if let model = target.model {
                            classifier = try classifierCopy(of: model, modelName: target.name, arguments, context, settings: seeded)
                        } else {   // the same shape, randomly initialised, as a baseline
                            var rng = RNG(seed: seeded.seed)
                            classifier = SequenceClassifier(body: try GPT2Model(config: current.config, rng: &rng), rng: &rng)
                        }
                        let curve = try attack(classifier, label: runLabel, train, test, seeded, context)
                        runs.append(Run(label: runLabel, curve: curve))
                        curves.append(curve)
                        if target.model != nil { kept = classifier }
                    }
                    groups.append((label, target.name, recipe.label, curves))
                }
            }
        } catch let stop as Interrupted {
            // Ctrl-C: what was measured is still worth seeing (the attack in flight is lost).
            context.endProgress()
            if !groups.isEmpty {
                context.print("stopped: the \(groups.count) attack(s) finished before the stop")
                _ = summarize()
            }
            throw stop
        }
        let (summaries, chartLines) = summarize()
        if let path = arguments.string("plot"), let plotPath {   // checked before training
            let svg = CurveChart.svg(chartLines, title: "Fine-tuning on \(train.name): test accuracy" + (seedCount > 1 ? " (mean of \(seedCount) seeds, 95% band)" : ""),
                                     xLabel: "epoch", yLabel: "test accuracy on \(test.count) reviews",
                                     references: [ReferenceLine(y: 0.5, label: "chance")], preferredY: 0.4...1)
            try context.writeFigure(svg, to: plotPath, shown: path, what: "learning curves")
            if let costs, let costPlotPath, let baseline = arguments.string("cost") {
                let attacks = zip(groups, summaries).map { (model: $0.model, summary: $1) }
                try context.writeFigure(costFigure(attacks, costs: costs, baseline: baseline, testCount: test.count), to: costPlotPath,
                                        shown: costFigurePath(path), what: "protection against cost")
                context.set("plot", .string(path))
                context.set("cost_plot", .string(costFigurePath(path)))
            }
        }
        if let name = arguments.string("keep"), let kept {
            guard recipes.count == 1, models.count == 1, seedCount == 1 else { throw UsageError("finetune: --keep works with a single run, not --sweep, --grid, --models or --seeds") }
            kept.body.history.append("fine-tuned as a sentiment classifier (\(recipes[0].label), \(train.count) reviews)")
            context.session.add(kept.body, name: name)
            context.session.classifierHeads[name] = kept.head.detach()
            context.print("kept the fine-tuned model as \(name) (now current)")
        }
    }

    static func settings(_ a: Arguments) throws -> FineTuneSettings {
        var s = FineTuneSettings()
        if let name = a.string("optimizer") {
            guard let kind = OptimizerKind(rawValue: name) else { throw UsageError("finetune: --optimizer expects sgd, adam or adamw, got \(name)") }
            s.optimizer = kind
        }
        s.learningRate = try a.float("lr", default: 2e-5)
        s.momentum = try a.float("momentum", default: 0.9)
        s.batchSize = try a.int("batch", default: 8)
        s.epochs = try a.int("epochs", default: 3)
        s.steps = a.string("steps") == nil ? nil : try a.int("steps", default: 1)
        s.weightDecay = try a.float("weight-decay", default: 0.01)
        s.warmup = try a.int("warmup", default: 0)
        switch a.string("schedule") ?? "linear" {
        case "linear": s.linearDecay = true
        case "constant": s.linearDecay = false
        case let other: throw UsageError("finetune: --schedule expects linear or constant, got \(other)")
        }
        let clip = try a.float("clip", default: 1)
        s.clip = clip > 0 ? clip : nil
        let seed = try a.seed(default: 42)
        s.seed = seed
        switch a.string("head") ?? "reinit" {
        case "reinit": s.reinitializeHead = true
        case "keep": s.reinitializeHead = false
        case let other: throw UsageError("finetune: --head expects reinit or keep, got \(other)")
        }
        guard let trainable = TrainableSet(a.string("trainable") ?? "all") else {
            throw UsageError("finetune: --trainable expects all, head, last:K or lora:R")
        }
        s.trainable = trainable
        s.evalEvery = try a.int("eval-every", default: 0)
        do { try s.validate() } catch let e as GPT2Error { throw UsageError(e.description) }
        return s
    }

    private static func classifierCopy(of model: GPT2Model, modelName: String, _ arguments: Arguments, _ context: CommandContext,
                                       settings: FineTuneSettings) throws -> SequenceClassifier {
        if settings.reinitializeHead {
            var rng = RNG(seed: settings.seed)
            return SequenceClassifier(body: model.copy(), rng: &rng)   // the head is redrawn by the attack itself
        }
        guard let head = context.session.classifierHeads[modelName] else {
            throw UsageError("finetune --head keep: \(modelName) has no classification head (it gets one from `finetune --keep` or a checkpoint with score.weight)")
        }
        return SequenceClassifier(body: model.copy(), head: head.copyAsParameter())
    }

    private static func attack(_ classifier: SequenceClassifier, label: String, _ train: SentimentDataset, _ test: SentimentDataset,
                               _ settings: FineTuneSettings, _ context: CommandContext) throws -> [CurvePoint] {
        let started = Date()
        let curve = try FineTuneAttack.run(classifier, train: train, test: test, settings: settings, report: { event in
            switch event {
            case let .step(step, total, loss):
                context.progress(label, done: step, of: total, detail: String(format: "loss %.4f", loss))
            case let .evaluation(point):
                context.endProgress()
                context.print(String(format: "%@  step %4d  epoch %.2f  train loss %@  test accuracy %.3f", label, point.step, point.epoch,
                                     point.trainLoss.map { String(format: "%.4f", $0) } ?? "   –  ", point.testAccuracy))
            }
        })
        context.note(String(format: "%@ took %.1f s", label, Date().timeIntervalSince(started)))
        return curve
    }

    private static func series(_ runs: [Run]) -> [CurveSeries] {
        runs.map { CurveSeries(label: $0.label, points: $0.curve.map { ($0.epoch, $0.testAccuracy) }) }
    }

    /// Each attack's accuracy with its interval at every evaluation, its best, whether it teaches the
    /// first model, and how the other models compare with the first under it.
    private static func reportIntervals(_ summaries: [AttackSummary], references: [Int], seeds: Int, testCount: Int, _ context: CommandContext) {
        guard !summaries.isEmpty else { return }
        context.print("95% intervals, bootstrap over the \(testCount) test reviews" + (seeds > 1 ? " and the \(seeds) seeds" : "")
                      + "; overlapping intervals are a tie")
        let labelWidth = max(12, summaries.map(\.label.count).max() ?? 12)
        var rows: [JSONValue] = []
        for (index, summary) in summaries.enumerated() {
            let reference = summaries[references[index]]
            var line = summary.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            for estimate in summary.estimates { line += "  " + estimate.description }
            line += String(format: "   best ep %.2f", summary.epochs[summary.bestIndex])
            var fields: [(String, JSONValue)] = [
                ("label", .string(summary.label)), ("epochs", .array(summary.epochs.map { .number($0) })),
                ("accuracy", .array(summary.estimates.map { .array([.number($0.value), .number($0.lower), .number($0.upper)]) })),
                ("best", .array([.number(summary.best.value), .number(summary.best.lower), .number(summary.best.upper)])),
                ("final_train_loss", .array(summary.finalTrainLosses.map { .number($0) })), ("teaches", .bool(summary.teaches))]
            if reference.label == summary.label {
                line += summary.teaches ? "  teaches the task" : "  does not teach the task: measures no protection"
            } else {
                line += "  vs \(reference.label.split(separator: " ").first ?? ""): " + summary.comparison(with: reference)
                    + (reference.teaches ? "" : " (the attack does not teach it: no measure of protection)")
                fields.append(("versus_first", .string(summary.comparison(with: reference))))
                fields.append(("valid_attack", .bool(reference.teaches)))
            }
            context.print(line)
            rows.append(.object(fields))
        }
        context.set("intervals", .array(rows))
    }

    /// Each attack's protection horizon at `threshold` (ProtectionHorizon), against the first model attacked with its recipe.
    private static func reportHorizons(_ summaries: [AttackSummary], references: [Int], threshold: Double, _ context: CommandContext) {
        context.print(String(format: "protection horizon at %.2f: shown through the last step whose interval stays at or below it; mean above it from; each seed above it from; ties the first model for good from", threshold))
        let labelWidth = max(12, summaries.map(\.label.count).max() ?? 12)
        func step(_ s: Int?) -> String { s.map(String.init) ?? "never" }
        var rows: [JSONValue] = []
        for (index, summary) in summaries.enumerated() {
            let reference = summaries[references[index]]
            let horizon = ProtectionHorizon(summary, threshold: threshold, reference: reference)
            var line = summary.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            line += "  shown through " + (horizon.heldThrough.map { "step \($0)" } ?? "no step")
            line += ";  mean above from " + step(horizon.breaksAt)
            line += ";  seeds " + horizon.seedBreaks.map(step).joined(separator: ", ")
            if reference.label != summary.label {
                line += ";  ties \(reference.label.split(separator: " ").first ?? "") from " + (horizon.catchesReferenceAt.map(String.init) ?? "no step (still behind)")
            }
            context.print(line)
            rows.append(.object([("label", .string(summary.label)), ("threshold", .number(threshold)),
                                 ("shown_through", horizon.heldThrough.map { .number(Double($0)) } ?? .null),
                                 ("mean_above_from", horizon.breaksAt.map { .number(Double($0)) } ?? .null),
                                 ("seeds_above_from", .array(horizon.seedBreaks.map { $0.map { .number(Double($0)) } ?? .null })),
                                 ("ties_first_from", horizon.catchesReferenceAt.map { .number(Double($0)) } ?? .null)]))
        }
        context.set("horizons", .array(rows))
    }

    private static func report(_ runs: [Run], chart: [CurveSeries], _ context: CommandContext) {
        let labelWidth = max(12, runs.map(\.label.count).max() ?? 12)
        let columns = runs.map(\.curve.count).max() ?? 0
        var header = "run".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
        if let longest = runs.max(by: { $0.curve.count < $1.curve.count }) {
            for p in longest.curve { header += String(format: "  ep %4.2f", p.epoch) }
        }
        context.print(header + "   best")
        for run in runs {
            var line = run.label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            for i in 0..<columns { line += i < run.curve.count ? String(format: "  %7.3f", run.curve[i].testAccuracy) : "         " }
            line += String(format: "  %5.3f", run.curve.map(\.testAccuracy).max() ?? 0)
            context.print(line)
        }
        for line in CurveChart.text(chart, xLabel: "epoch") { context.print(line) }
        context.set("runs", .array(runs.map { run in
            .object([("label", .string(run.label)),
                     ("steps", .ints(run.curve.map(\.step))),
                     ("epochs", .array(run.curve.map { .number($0.epoch) })),
                     ("test_accuracy", .array(run.curve.map { .number($0.testAccuracy) })),
                     ("train_loss", .array(run.curve.map { $0.trainLoss.map(JSONValue.number) ?? .null }))])
        }))
    }
}
