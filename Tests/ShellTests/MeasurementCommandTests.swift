// MeasurementCommandTests.swift — the measurement and SOPHON commands as a user types them, with
// every --json output parsed, on the small full-vocabulary test model and the shipped data.
import Foundation
import GPT2
import Shell
import Testing

private func loss(_ shell: CapturingShell) throws -> Double {
    try #require(try json(shell.run(#"score "The river ran past the mill." --json"#))["loss"] as? Double)
}

@Suite("Measurement commands")
struct MeasurementCommandTests {
    @Test func zeroShotReportsConsistentMetrics() throws {
        let shell = CapturingShell()
        let out = try json(shell.run("zeroshot sentiment --test-limit 6 --json"))
        let confusion = try #require(out["confusion"] as? [[Int]])
        #expect(confusion.flatMap { $0 }.reduce(0, +) == 6 && out["examples"] as? Int == 6)
        let correct = confusion[0][0] + confusion[1][1]
        #expect(abs((out["accuracy"] as? Double ?? -1) - Double(correct) / 6) < 1e-12)
        #expect(out["truncated"] as? Int ?? 0 > 0)   // the test model's context is 32 tokens
        let one = try json(shell.run(#"zeroshot sentiment "The movie was terrible!" --json"#))
        let p = try #require(one["p_positive"] as? Double)
        #expect(p > 0 && p < 1)
    }

    @Test func finetuneLeavesTheSessionModelUntouched() throws {
        let shell = CapturingShell()
        let before = try loss(shell)
        let out = try json(shell.run("finetune --train-limit 16 --test-limit 8 --epochs 2 --lr 1e-3 --max-tokens 24 --json"))
        let runs = try #require(out["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        #expect((runs[0]["test_accuracy"] as? [Double])?.count == 3)   // before training, after each epoch
        #expect(try loss(shell) == before)
        // --keep is the one way to change the session: it adds the fine-tuned model under a new name.
        shell.run("finetune --train-limit 16 --test-limit 8 --epochs 1 --lr 1e-3 --max-tokens 24 --keep tuned")
        #expect(try loss(shell) != before)
        shell.run("use gpt2-mini")
        #expect(try loss(shell) == before)
        #expect(shell.shell.errorCount == 0)
    }

    @Test func sweepsAndScratchBaselinesShareOneTable() throws {
        let shell = CapturingShell()
        let plot = temporaryPath("curves.svg")
        let text = shell.run("finetune --sweep --optimizers sgd,adamw --lrs 1e-3 --scratch --train-limit 8 --test-limit 4 --epochs 1 --max-tokens 16 --plot " + plot)
        for label in ["gpt2-mini sgd lr 0.001", "gpt2-mini adamw lr 0.001", "scratch sgd lr 0.001", "scratch adamw lr 0.001"] {
            #expect(text.contains(label))
        }
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<polyline").count == 5)
        #expect(shell.shell.errorCount == 0)
    }

    /// `finetune --cost`: each model's perplexity change is `perplexity --baseline`'s on the same windows
    /// (exactly 0 for the baseline itself), and the cost figure has a point per model with a cost.
    @Test func finetuneCostIsThePairedPerplexityChange() throws {
        let shell = CapturingShell()
        shell.run("new model other --seed 5", "use gpt2-mini")
        let plot = temporaryPath("cost.svg")
        let out = try json(shell.run("finetune --models gpt2-mini,other --cost gpt2-mini --scratch --train-limit 8 --test-limit 4 --epochs 1 --max-tokens 16 --plot \(plot) --json"))
        let cost = try #require(out["cost"] as? [String: Any])
        #expect((cost["gpt2-mini"] as? [Double]) == [0, 0, 0])
        let other = try #require(cost["other"] as? [Double])
        shell.run("use other")
        let perplexity = try json(shell.run("perplexity --sources original --baseline gpt2-mini --json"))
        let paired = try #require((((perplexity["sources"] as? [String: Any])?["original"] as? [String: Any])?["models"] as? [String: Any])?["other"] as? [String: Any])
        #expect(abs(other[0] - (paired["change_vs_baseline"] as? Double ?? .nan)) < 1e-12 && other[1] <= other[0] && other[0] <= other[2])
        let costPlot = String(plot.dropLast(4)) + "-cost.svg"   // FILE.svg → FILE-cost.svg
        let figure = try parse(try String(contentsOfFile: costPlot, encoding: .utf8))
        #expect(figure.elements("circle", class: "point").count == 2)   // the scratch model has no cost
        #expect(out["cost_plot"] as? String == costPlot)
        #expect(shell.run("finetune --cost nosuch --train-limit 8 --test-limit 4 --epochs 1").contains("no model named nosuch"))
    }

    @Test func probeAndItsCache() throws {
        let shell = CapturingShell()
        let first = try json(shell.run("probe --train-limit 20 --test-limit 10 --max-tokens 24 --json"))
        let second = try json(shell.run("probe --train-limit 20 --test-limit 10 --max-tokens 24 --json"))
        #expect(first["test_accuracy"] as? Double == second["test_accuracy"] as? Double)
        let train = try #require(first["train_accuracy"] as? Double)
        #expect(train >= 0.5 && train <= 1)
        #expect(shell.run("probe --hook blocks.0.attn.hook_pattern --train-limit 4 --test-limit 4").contains("not a per-token hook point"))
        // Several permutations: the first is the single control's, and the mean lies inside its interval.
        let one = try json(shell.run("probe --train-limit 20 --test-limit 10 --max-tokens 24 --c 1 --json"))
        let three = try json(shell.run("probe --train-limit 20 --test-limit 10 --max-tokens 24 --c 1 --controls 3 --json"))
        let mean = try #require(three["control_test_accuracy"] as? Double)
        let interval = try #require(three["control_interval"] as? [Double])
        #expect(interval[0] <= mean && mean <= interval[1] && interval[0] < interval[1])
        #expect(one["control_test_accuracy"] as? Double != nil && (one["control_interval"] as? [Double])?.count == 2)
        #expect(shell.run("probe --train-limit 20 --test-limit 10 --controls 0").contains("--controls expects 1 to 100"))
    }

    @Test func knowledgeProbesAndPerplexity() throws {
        let shell = CapturingShell()
        let probes = try json(shell.run("probes --set retain --json"))
        let retain = try #require((probes["sets"] as? [String: Any])?["retain"] as? [String: Any])
        #expect(retain["count"] as? Int == 10 && (retain["hits"] as? Int ?? 99) <= 10)
        // Two models pooled as two seeds: the pooled mean is the mean of their means (equal probe counts).
        shell.run("new model other --seed 5")
        let second = try #require((try json(shell.run("probes --set retain --json"))["sets"] as? [String: Any])?["retain"] as? [String: Any])
        let pooled = try json(shell.run("probes --set retain --pool gpt2-mini,other --json"))
        let both = try #require((pooled["sets"] as? [String: Any])?["retain"] as? [String: Any])
        #expect(both["count"] as? Int == 20 && both["hits"] as? Int == (retain["hits"] as? Int ?? -1) + (second["hits"] as? Int ?? -1))
        let a = try #require(retain["answer_probability"] as? Double), b = try #require(second["answer_probability"] as? Double)
        let mean = try #require(both["answer_probability"] as? Double)
        #expect(abs(a - b) > 1e-9 && abs(mean - (a + b) / 2) < 1e-12)
        let interval = try #require(both["answer_probability_interval"] as? [Double])
        #expect(interval.count == 2 && interval[0] <= mean && mean <= interval[1])
        #expect(shell.run("probes --pool other").contains("at least two models"))
        #expect(shell.run("probes --pool other,other").contains("names a model twice"))
        let p = try json(shell.run("perplexity --sources original --windows 2 --unigram --json"))
        let original = try #require((p["sources"] as? [String: Any])?["original"] as? [String: Any])
        let ppl = try #require(original["perplexity"] as? Double), unigram = try #require(original["unigram_perplexity"] as? Double)
        #expect(ppl > 1000)                    // an untrained model is near the vocabulary size…
        #expect(unigram < ppl && unigram > 50) // …and a unigram model of the text is far better
        #expect(shell.run("perplexity --sources nowhere").contains("unknown source nowhere"))
        // Intervals over windows: a model against itself changes by exactly 0; a pool of two is the mean of their losses.
        let otherPaired = try json(shell.run("perplexity --sources original --windows 4 --baseline gpt2-mini --json"))
        let paired = try #require(((otherPaired["sources"] as? [String: Any])?["original"] as? [String: Any])?["models"] as? [String: Any])
        let current = try #require(paired["other"] as? [String: Any])
        let pooledPerplexity = try json(shell.run("perplexity --sources original --windows 4 --pool gpt2-mini,other --json"))
        let pooledSource = try #require((pooledPerplexity["sources"] as? [String: Any])?["original"] as? [String: Any])
        let members = try #require(pooledSource["models"] as? [String: Any])
        let lossA = try #require((members["gpt2-mini"] as? [String: Any])?["loss"] as? Double)
        let lossB = try #require((members["other"] as? [String: Any])?["loss"] as? Double)
        let pooledLoss = try #require((pooledSource["pooled"] as? [String: Any])?["loss"] as? Double)
        #expect(abs(pooledLoss - (lossA + lossB) / 2) < 1e-12 && abs(lossA - lossB) > 1e-6)
        #expect(abs((current["loss"] as? Double ?? 0) - lossB) < 1e-12)
        let change = try #require(current["change_vs_baseline"] as? Double), changeBounds = try #require(current["change_interval"] as? [Double])
        #expect(abs(change - (exp(lossB - lossA) - 1)) < 1e-9 && changeBounds[0] <= change && change <= changeBounds[1])
        let selfChange = try json(shell.run("perplexity --sources original --windows 4 --baseline other --json"))
        let itself = try #require((((selfChange["sources"] as? [String: Any])?["original"] as? [String: Any])?["models"] as? [String: Any])?["other"] as? [String: Any])
        #expect(itself["change_vs_baseline"] as? Double == 0 && itself["change_interval"] as? [Double] == [0, 0])
        #expect(shell.run("perplexity --pool other").contains("at least two models"))
        #expect(shell.run("perplexity --pool gpt2-mini,other --baseline other").contains("is also in --pool"))
        #expect(shell.run("perplexity --interval --windows 1").contains("at least 2 for an interval"))
        // A fresh session has no current model until one is needed: the bundled one is loaded, as plain `perplexity` does.
        let fresh = CapturingShell()
        #expect(fresh.run("perplexity --sources original --windows 2 --interval").contains("perplexity"))
        #expect(fresh.shell.errorCount == 0)
        #expect(shell.run("perplexity --interval --unigram").contains("--unigram applies without"))
    }

    @Test func fluencyAndRelearning() throws {
        let shell = CapturingShell()
        #expect(shell.run("fluency --tokens 4").contains("--reference NAME is required"))
        let f = try json(shell.run("fluency --reference gpt2-mini --set register --tokens 4 --json"))
        let ppl = try #require(f["reverse_perplexity"] as? Double)
        #expect(ppl > 1 && ppl.isFinite)
        let r = try json(shell.run("relearn --steps 2 --eval-every 1 --batch 2 --window 16 --tokens 200 --json"))
        #expect(r["steps"] as? [Int] == [0, 1, 2])
        #expect((r["answer_probability"] as? [Double])?.count == 3)
    }

    @Test func sophonStepByStep() throws {
        let shell = CapturingShell()
        let restricted = "--restricted examples/data/sentiment/imdb_short_test.tsv"
        shell.run("sophon config --inner-steps 1 --support 2 --query 2 --ntr-batch 1 --ntr-length 16 --guard-windows 1 --max-tokens 16 --env sgd:1e-3:all,adam:1e-3:head")
        let step = try json(shell.run("sophon step \(restricted) --json"))
        #expect(step["iteration"] as? Int == 1)
        let report = try #require(step["report"] as? [String: Any])
        #expect((report["environment_accuracy"] as? [Double])?.count == 2)
        let run = try json(shell.run("sophon run 2 --json"))
        #expect(run["iteration"] as? Int == 3)
        let status = try json(shell.run("sophon status --json"))
        #expect((status["log"] as? [Any])?.count == 3)
        #expect(try json(shell.run("info --json"))["in_progress"] as? [String] == ["SOPHON at iteration 3"])
        let path = temporaryPath("sophon.h5")
        shell.run("sophon save \(path)")
        shell.run("sophon resume \(path) --name resumed \(restricted)")
        #expect(try json(shell.run("sophon status --json"))["iteration"] as? Int == 3)
        #expect(shell.run("sophon config --seed 5").contains("fixed once a run has started"))
        #expect(shell.run("sophon config --env rmsprop:1:all").contains("--env expects"))
        let weightsOnly = temporaryPath("sophon-weights.h5")
        shell.run("sophon save \(weightsOnly) --weights-only")
        #expect(shell.run("sophon resume \(weightsOnly)").contains("has no SOPHON state"))
        // The saved head comes back with `load model`, so `finetune --head keep` can use it.
        #expect(shell.run("load model \(weightsOnly) --name protected").contains("with a classification head"))
        #expect(shell.shell.errorCount == 3)
    }
}
