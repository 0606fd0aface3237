// PretrainCommand.swift — `pretrain`: train a GPT-2 from scratch (or continue one) on text files.
import Autograd
import Foundation
import GPT2
import Procedures

enum PretrainCommand: Command {
    static let info = CommandInfo(
        name: "pretrain",
        abstract: "Train a GPT-2 from scratch on text (AdamW, warm-up + cosine, held-out perplexity, resumable checkpoints).",
        flags: [FlagInfo("out", value: "PATH", required: true, "checkpoint written every --checkpoint-every steps, on Ctrl-C and at the end"),
                FlagInfo("resume", "continue the run saved in --out (bit for bit as if never interrupted)"),
                FlagInfo("stop-at", value: "N", "stop (and checkpoint) at step N, as Ctrl-C would"),
                FlagInfo("continue", "train the current model instead of a new one"),
                FlagInfo("steps", value: "N", "optimizer steps (default 1000)"),
                FlagInfo("batch", value: "B", "windows per micro-batch (default 8)"),
                FlagInfo("seq-len", value: "T", "tokens per window (default 256)"),
                FlagInfo("accumulation", value: "K", "micro-batches per step (default 1)"),
                FlagInfo("lr", value: "LR", "peak learning rate (default 1e-3)"),
                FlagInfo("min-lr-factor", value: "F", "cosine floor as a fraction of --lr (default 0.1)"),
                FlagInfo("warmup", value: "N", "linear warm-up steps (default 100)"),
                FlagInfo("weight-decay", value: "W", "AdamW decay on matrices (default 0.1)"),
                FlagInfo("clip", value: "C", "global gradient-norm clip (default 1)"),
                FlagInfo("eval-every", value: "N", "held-out evaluation interval (default 100)"),
                FlagInfo("eval-windows", value: "N", "held-out windows per source (default 8)"),
                FlagInfo("checkpoint-every", value: "N", "checkpoint interval (default 100)"),
                FlagInfo("seed", value: "S", "seed of initialisation and sampling (default 0)"),
                FlagInfo("layers", value: "L", "new model: blocks (default 6)"),
                FlagInfo("width", value: "D", "new model: n_embd (default 128)"),
                FlagInfo("heads", value: "H", "new model: heads (default 2)"),
                FlagInfo("context", value: "T", "new model: n_positions (default 256)"),
                FlagInfo("data", value: "DIR", "corpus folder (default \(DataLayout.root))"),
                FlagInfo("holmes-weight", value: "W", "sampling weight of the Holmes books (default 3; --resume keeps the run's own unless given)"),
                FlagInfo("source-lines", value: "F", "fraction of windows that start with a line naming their source, e.g. \"A novel.\" (default 0)"),
                FlagInfo("no-holmes", "leave the Holmes books out (the never-trained baseline)"),
                FlagInfo("name", value: "NAME", "name of the trained model in the session (default: the checkpoint's file name)")],
        examples: ["pretrain --out models/gpt2-mini/tf_model.h5 --steps 1800", "pretrain --out models/gpt2-mini/tf_model.h5 --resume",
                   "pretrain --out /tmp/tiny.h5 --steps 20 --layers 2 --width 64 --heads 1 --context 64 --seq-len 64"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        guard let out = try arguments.string("out").map({ try context.session.writablePath($0, for: "pretrain --out") }) else {
            throw UsageError("pretrain: --out PATH is required (where checkpoints go)")
        }
        // Create the checkpoint's folder now: finding out at the first checkpoint loses the steps before it.
        let folder = URL(fileURLWithPath: out).deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw UsageError("pretrain: cannot create the folder \(folder.path) for --out (\(error.localizedDescription))")
        }
        var corpusSources = try sources(data: arguments.string("data"), holmesWeight: try arguments.double("holmes-weight", default: 3),
                                        includeHolmes: !arguments.has("no-holmes"))
        if arguments.has("resume"), FileManager.default.fileExists(atPath: out), let saved = try Pretrainer.savedSourceWeights(at: out) {
            // Resume samples the mixture the run was started with, unless a weight is given again explicitly.
            for i in corpusSources.indices where !(corpusSources[i].name == "holmes" && arguments.has("holmes-weight")) {
                if let weight = saved[corpusSources[i].name] { corpusSources[i].weight = weight }
            }
            if Set(saved.keys) != Set(corpusSources.map(\.name)) {
                throw UsageError("pretrain --resume: the checkpoint was trained on sources \(saved.keys.sorted().joined(separator: ", ")), not \(corpusSources.map(\.name).joined(separator: ", "))")
            }
        }
        let corpus = try TokenCorpus(sources: corpusSources, tokenizer: try context.session.tokenizer(),
                                     cacheDirectory: DataLayout.tokenCache)
        for p in corpus.parts {
            context.print("source \(p.name): \(p.train.count) training tokens, \(p.heldOut.count) held out, weight \(p.weight)")
        }
        let trainer: Pretrainer
        if arguments.has("resume") {
            guard FileManager.default.fileExists(atPath: out) else { throw UsageError("pretrain --resume: no checkpoint at \(out)") }
            let steps = arguments.string("steps") == nil ? nil : try arguments.int("steps", default: 0)
            trainer = try Pretrainer.resume(from: out, corpus: corpus, steps: steps)
            context.print("resumed at step \(trainer.step) of \(trainer.settings.steps)")
        } else {
            let settings = try settingsFrom(arguments)
            let model: GPT2Model
            if arguments.has("continue") {
                model = try context.session.model()
            } else {
                var rng = RNG(seed: settings.seed)
                let config = GPT2Config(contextLength: try arguments.int("context", default: 256),
                                        embeddingSize: try arguments.int("width", default: 128),
                                        layerCount: try arguments.int("layers", default: 6),
                                        headCount: try arguments.int("heads", default: 2),
                                        embeddingDropout: 0, residualDropout: 0, attentionDropout: 0)
                model = try GPT2Model(config: config, rng: &rng)
            }
            trainer = try Pretrainer(model: model, corpus: corpus, settings: settings)
        }
        var interrupted: Interrupted?
        let stopAt = try arguments.int("stop-at", default: Int.max)
        do {
            try trainer.run(checkpointPath: out, shouldStop: { Interrupt.isRequested || trainer.step >= stopAt }) { event in
                switch event {
                case let .step(step, total, loss, lr, rate, left):
                    context.progress(String(format: "step %d/%d  loss %.4f  lr %.2e  %.0f tokens/s  ETA %.1f min", step, total, loss, lr, rate, left / 60))
                case let .evaluation(step, results):
                    context.endProgress()
                    context.print("step \(step): held-out " + results.map { $0.source + String(format: " %.3f (ppl %.1f)", $0.loss, $0.perplexity) }.joined(separator: ", "))
                case let .checkpoint(step, path):
                    context.note("checkpoint at step \(step): \(path)")
                }
            }
        } catch let e as Interrupted where trainer.step < stopAt {
            interrupted = e
            // Replay trains to the same step and stops there, as Ctrl-C did.
            context.replayAs = arguments.commandLine(setting: "stop-at", to: "\(trainer.step)")
        } catch is Interrupted {
            context.print("stopped at step \(trainer.step) as asked (--stop-at); `pretrain --out \(out) --resume` continues")
        }
        context.endProgress()
        let name = arguments.string("name") ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
        trainer.model.history.append("pretrained to step \(trainer.step) (checkpoint \(displayPath(out)))")
        context.session.add(trainer.model, name: name)
        context.set("step", .int(trainer.step))
        context.set("checkpoint", .string(out))
        if let interrupted { throw interrupted }
        context.print("done: \(trainer.step) steps; the model is loaded as \(name)")
    }

    static func settingsFrom(_ a: Arguments) throws -> PretrainSettings {
        var s = PretrainSettings()
        s.steps = try a.int("steps", default: 1000)
        s.batchSize = try a.int("batch", default: 8)
        s.sequenceLength = try a.int("seq-len", default: 256)
        s.accumulation = try a.int("accumulation", default: 1)
        s.learningRate = try a.float("lr", default: 1e-3)
        s.minLearningRateFactor = try a.float("min-lr-factor", default: 0.1)
        s.warmup = try a.int("warmup", default: 100)
        s.weightDecay = try a.float("weight-decay", default: 0.1)
        s.clip = try a.float("clip", default: 1)
        s.evalEvery = try a.int("eval-every", default: 100)
        s.evalWindows = try a.int("eval-windows", default: 8)
        s.checkpointEvery = try a.int("checkpoint-every", default: 100)
        let seed = try a.seed(default: 0)
        s.seed = seed
        if a.has("source-lines") { s.sourceLineFraction = try a.double("source-lines", default: 0) }
        try s.validate()
        return s
    }

    /// The demo corpus: novels, IMDB reviews, the original-domain texts, WikiText, and (unless --no-holmes) Holmes.
    static func sources(data dataFolder: String?, holmesWeight: Double = 3, includeHolmes: Bool = true,
                        resolve: (String) -> String = { $0 }) throws -> [CorpusSource] {
        let data = resolve(dataFolder ?? DataLayout.root)
        func files(_ dir: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".txt") }.sorted().map { dir + "/" + $0 }
        }
        var sources = [
            CorpusSource(name: "novels", files: files(data + "/pretrain/gutenberg")),
            CorpusSource(name: "imdb", files: files(data + "/pretrain").filter { $0.contains("imdb") }),
            CorpusSource(name: "original", files: files(data + "/original-domain").filter { !$0.contains("wikitext") }),
            CorpusSource(name: "wikitext", files: files(data + "/original-domain").filter { $0.contains("wikitext") }),
        ]
        if includeHolmes {
            sources.append(CorpusSource(name: "holmes", files: files(data + "/concept").filter { $0.contains("holmes") },
                                        weight: holmesWeight))
        }
        for i in sources.indices { sources[i].sourceLines = SourceLines.lines(for: sources[i].name) }
        if let empty = sources.first(where: { $0.files.isEmpty }) {
            throw UsageError("pretrain: no .txt files for source \(empty.name) under \(data) (expected Lethe's examples/data layout)")
        }
        return sources
    }
}
