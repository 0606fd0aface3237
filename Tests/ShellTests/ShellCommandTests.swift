// ShellCommandTests.swift — commands as a user types them, and every --json output parsed.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GPT2
import Procedures
import Shell
import Testing

@Suite("Shell commands")
struct ShellCommandTests {
    @Test func ablateSteerAndUndo() throws {
        let shell = CapturingShell()
        let text = #"score "The cat sat on the mat and looked at the dog.""#
        let before = shell.run(text)
        #expect(shell.run("ablate blocks.0.attn.hook_z --head 0").contains("zero-ablate head 0"))
        #expect(shell.run(text) != before)
        #expect(shell.run("info").contains("blocks.0.attn.hook_z: zero-ablate head 0"))
        #expect(shell.run(#"steer blocks.0.hook_resid_post --from "a cat" --to "a dog" --scale 2"#).contains("2 active"))
        #expect(shell.run("interventions --undo").contains("removed blocks.0.hook_resid_post"))
        #expect(shell.run("interventions --clear").contains("removed 1"))
        #expect(shell.run(text) == before)
        #expect(shell.run("ablate blocks.0.attn.hook_pattern").contains("no per-token activation"))
        #expect(shell.run("ablate blocks.0.hook_resid_post --head 0").contains("needs a per-head hook"))
        #expect(shell.run("interventions --undo").contains("nothing to undo"))
        #expect(shell.shell.errorCount == 3)
    }

    @Test func probeFeaturesFollowTheInterventions() throws {
        let shell = CapturingShell()
        let probe = "probe --train-limit 16 --test-limit 8 --c 1 --no-control --json"
        let before = try json(shell.run(probe))
        shell.run("ablate blocks.0.hook_resid_post --mean \"A quiet evening at home.\"")
        let ablated = try json(shell.run(probe))
        #expect(ablated["train_accuracy"] as? Double != before["train_accuracy"] as? Double
                || ablated["test_accuracy"] as? Double != before["test_accuracy"] as? Double,
                "features computed before the ablation were served after it")
        shell.run("interventions --clear")
        let cleared = try json(shell.run(probe))
        #expect(cleared["train_accuracy"] as? Double == before["train_accuracy"] as? Double)
    }

    @Test func perTokenLossesAverageToTheScore() throws {
        let shell = CapturingShell()
        let out = try json(shell.run(#"score "It was a dark and stormy night." --per-token --json"#))
        let rows = try #require(out["per_token"] as? [[String: Any]])
        let losses = rows.compactMap { $0["loss"] as? Double }
        #expect(losses.count == 8 && rows.first?["token"] as? String == " was")
        // Per-token losses come from the logits; the score from the fused head-and-loss kernel.
        let mean = losses.reduce(0, +) / Double(losses.count)
        #expect(abs(mean - (try #require(out["loss"] as? Double))) < 1e-4)
    }

    @Test func lensAtEveryPositionAgreesWithTheLastPosition() throws {
        let shell = CapturingShell()
        let grid = try json(shell.run(#"lens "The cat sat on the mat" --all-positions --json"#))
        let positions = try #require(grid["positions"] as? [[String: Any]])
        #expect(positions.count == 6)
        let last = try json(shell.run(#"lens "The cat sat on the mat" --top 1 --json"#))
        let stages = try #require(last["stages"] as? [[String: Any]])
        let lastRow = try #require(positions.last?["top"] as? [[String: Any]])
        #expect(lastRow.count == stages.count)
        for (cell, stage) in zip(lastRow, stages) {
            let top = try #require((stage["top"] as? [[String: Any]])?.first)
            #expect(cell["token"] as? String == top["token"] as? String)
        }
    }

    @Test func patchWritesAMapAndAValidSVG() throws {
        let shell = CapturingShell()
        let plot = temporaryPath("patch.svg")
        let out = try json(shell.run(#"patch --clean "The cat sat on the mat" --corrupted "The dog sat on the mat" --answer " and" --wrong " with" --plot "# + plot + " --json"))
        let restored = try #require(out["restored"] as? [[Double]])
        let columns = try #require(out["columns"] as? [String])
        #expect(!restored.isEmpty && restored.allSatisfy { $0.count == 6 } && columns.count == 6)   // blocks × positions
        #expect(abs(restored[0][1] - 1) < 1e-5 && restored[0][0] == 0)   // the changed word at block 0 carries all of it
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "the heat map is not well-formed XML")
        #expect(svg.components(separatedBy: "class=\"cell\"").count - 1 == restored.count * 6)
        #expect(shell.run(#"patch --clean "a b" --corrupted "a b c" --answer " x" --wrong " y""#).contains("same number of tokens"))
    }

    /// `patch --probes` patches another model over the probe set: without one it says so; with a twin
    /// there is no difference to restore, and every cell is null rather than a division by zero.
    @Test func patchOverProbesNeedsAnotherModelAndNamesWhatItCannotDo() throws {
        let shell = CapturingShell()
        #expect(shell.run("patch --probes register").contains("give --from MODEL"))
        shell.run("load model \(TestModel.path) --name twin")
        let out = try json(shell.run("patch --probes register --from twin --last 1 --json"))
        #expect(out["columns"] as? [String] == ["-1", "all"])
        let restored = try #require(out["restored"] as? [[Any]])
        #expect(!restored.isEmpty && restored.joined().allSatisfy { $0 is NSNull })
        #expect(shell.run("patch --probes nope --from twin").contains("expects one of register, questions, retain"))
        #expect(shell.run("patch --probes register --from twin --hook heads").contains("resid_pre, attn_out or mlp_out"))
        #expect(shell.shell.errorCount == 3)
    }

    @Test func benchMeasuresASophonIterationWithoutTouchingTheSession() throws {
        let shell = CapturingShell()
        let before = shell.run(#"score "The cat sat." --json"#)
        shell.run("sophon config --inner-steps 1 --support 2 --query 2 --ntr-batch 1 --ntr-length 16 --guard-windows 1 --max-tokens 16 --env sgd:1e-3:all")
        let out = try json(shell.run("bench sophon --reps 1 --json"))
        #expect(try #require(out["sophon_iteration_seconds"] as? Double) > 0)
        #expect(shell.run(#"score "The cat sat." --json"#) == before)   // a copy was trained
        #expect(shell.run("sophon status").contains("no SOPHON run yet"))
        #expect(shell.shell.errorCount == 0)
    }

    @Test func everyProcedureHasGeneratedConfigAndResetCommands() throws {
        let shell = CapturingShell()
        for (name, title, flags) in [("sophon", "SOPHON", SophonSettings.flags.map(\.name)), ("elm", "ELM", ELMSettings.flags.map(\.name)),
                                     ("whp", "WHP", WHPSettings.flags.map(\.name))] {
            let help = shell.run("help \(name) config")
            for flag in flags { #expect(help.contains("--" + flag), "help \(name) config lacks --\(flag)") }
            #expect(shell.run("\(name) reset") == "no \(title) run to forget\n")
        }
        shell.run("whp config --reinforce-steps 1 --blocks 1 --batch 1 --block-length 16", "whp reinforce")
        #expect(shell.run("whp reset").hasPrefix("forgot the WHP run on gpt2-mini after 1 reinforcement steps"))
        #expect(shell.run("whp status").contains("no WHP run yet"))
        #expect(shell.run("whp config").contains("reinforce: 1 steps"))   // settings are kept
        #expect(shell.shell.errorCount == 0)
    }

    @Test func compareRunsOneCommandOnEachModelAndLeavesTheCurrentOne() throws {
        let shell = CapturingShell()
        shell.run("new model x --seed 0", "new model y --seed 1", "use x")
        let alone = ["x", "y"].map { name -> String in
            shell.run("use \(name)")
            return String(format: "%.4f", (try? json(shell.run(#"score "The cat sat." --json"#)))?["loss"] as? Double ?? .nan)
        }
        shell.run("use y")
        let out = try json(shell.run(#"compare --models x,y score "The cat sat." --json"#))
        let results = try #require(out["results"] as? [String: [String: String]])
        #expect(results["x"]?["loss"] == alone[0] && results["y"]?["loss"] == alone[1] && alone[0] != alone[1])
        #expect(shell.run("models").contains("* y"))   // still current
        let table = shell.run(#"compare --models x,y score "The cat sat.""#)
        #expect(table.contains("loss") && table.contains(alone[0]) && table.contains(alone[1]))
        #expect(shell.run("compare --models x,nope score hi").contains("no model named nope"))
        #expect(shell.run("compare --models x use y").contains("changes the session"))
        #expect(shell.run(#"compare --models x,y attention "a b" --plot a.svg"#).contains("would write once per model"))
        #expect(shell.run("models").contains("* y"))
        #expect(shell.shell.errorCount == 3)
        // A shipped model not yet loaded is loaded under its name; the current model stays current.
        let fresh = CapturingShell()
        #expect(fresh.run(#"compare --models gpt2-mini,gpt2-mini-noholmes score "The cat""#).contains("loaded gpt2-mini-noholmes from models/gpt2-mini-noholmes/tf_model.h5"))
        #expect(fresh.run("models").contains("* gpt2-mini"))
        #expect(fresh.shell.errorCount == 0)
    }

    @Test func diffMapsWhereTwoModelsDiffer() throws {
        let shell = CapturingShell()
        shell.run("new model x --seed 0", "new model y --seed 0", "new model z --seed 1")
        let same = try json(shell.run(#"diff x y --text "The cat sat." --json"#))
        #expect(same["changed"] as? Int == 0)
        #expect((same["block_change"] as? [[Double]])?.joined().allSatisfy { $0 == 0 } == true)
        #expect((same["output_change"] as? [[Double]])?.joined().allSatisfy { abs($0) < 1e-6 } == true)
        let other = try json(shell.run(#"diff x z --text "The cat sat." --json"#))
        let blocks = try #require(other["block_change"] as? [[Double]])
        // Seeds change the random matrices; LayerNorms start at 1 and 0 in both.
        #expect(blocks.count >= 1 && blocks.allSatisfy { row in row.count == 6 && [1, 2, 4, 5].allSatisfy { row[$0] > 0 } && row[0] == 0 && row[3] == 0 })
        #expect((other["output_change"] as? [[Double]])?.joined().contains { $0 > 1e-3 } == true)
        // Over a probe set: the mean over prompts of each prompt's change, so one prompt's own --text agrees.
        let probes = try json(shell.run("diff x z --probes retain --json"))
        let perProbe = try #require(probes["probe_output_change"] as? [[Double]])
        #expect(perProbe.count == blocks.count && perProbe.joined().allSatisfy { $0 > 0 })
        let file = try ProbeSets(path: DataPaths.resolve(DataLayout.completionProbes))
        let retain = try #require(file.sets.first { $0.name == "retain" }?.probes)
        var mean = [Double](repeating: 0, count: perProbe.joined().count)
        for probe in retain {
            let one = try #require(try json(shell.run("diff x z --text \"\(probe.prompt)\" --json"))["output_change"] as? [[Double]])
            for (i, v) in one.joined().enumerated() { mean[i] += v / Double(retain.count) }
        }
        #expect(zip(mean, perProbe.joined()).allSatisfy { abs($0 - $1) < 1e-9 }, "\(mean) vs \(perProbe)")
        #expect(shell.run("diff x z --probes nope").contains("expected one of"))
    }

    @Test func tokenizeJSON() throws {
        let shell = CapturingShell()
        let out = try json(shell.run(#"tokenize "Hello world" --json"#))
        #expect(out["ids"] as? [Int] == [15496, 995])
    }

    @Test func scoreJSONMatchesTheLoss() throws {
        let shell = CapturingShell()
        let out = try json(shell.run(#"score "It was a dark and stormy night." --json"#))
        let loss = try #require(out["loss"] as? Double), perplexity = try #require(out["perplexity"] as? Double)
        #expect(out["tokens"] as? Int == 9 - 1)
        #expect(abs(exp(loss) - perplexity) < 1e-6 * perplexity)
        #expect(loss > 10 && loss < 11.5)   // an untrained model is near log(50257) = 10.82
    }

    @Test func generateJSONAndSeedsRepeat() throws {
        let shell = CapturingShell()
        let greedy = try json(shell.run(#"generate "Once upon a time" --max-tokens 6 --json"#))
        let ids = try #require(greedy["ids"] as? [Int])
        #expect(ids.count == 6)
        let model = try GPT2Model.load(from: TestModel.path)
        let tokenizer = try BPETokenizer.bundled()
        #expect(greedy["text"] as? String == tokenizer.decode(ids.map(Int32.init)))
        var expected: [Int32] = []
        var sequence = tokenizer.encode("Once upon a time")
        for _ in 0..<6 {   // greedy by the full forward pass
            let row = try model.logits(TokenBatch(sequences: [sequence])).data.suffix(model.config.vocabSize)
            let best = Int32(row.indices.max { row[$0] < row[$1] }! - row.startIndex)
            expected.append(best); sequence.append(best)
        }
        #expect(ids.map(Int32.init) == expected)
        let a = try json(shell.run(#"generate "x" --max-tokens 8 --temperature 1 --seed 5 --json"#))
        let b = try json(shell.run(#"generate "x" --max-tokens 8 --temperature 1 --seed 5 --json"#))
        #expect(a["ids"] as? [Int] == b["ids"] as? [Int])
    }

    @Test func errorsAreOneLineAndJSON() throws {
        let shell = CapturingShell()
        #expect(shell.run("frobnicate now").hasPrefix("error: unknown command 'frobnicate'"))
        let out = try json(shell.run(#"generate "hi" --max-tokens many --json"#))
        #expect((out["error"] as? String)?.contains("--max-tokens expects a whole number") == true)
        #expect(shell.run("load model /nonexistent/x.h5").contains("no such file"))
        #expect(shell.run(#"attention "hi" --layer 9"#).contains("--layer must be in 0..<1"))
        #expect(shell.shell.errorCount == 4)
    }

    @Test func explorationCommandsRun() throws {
        let shell = CapturingShell()
        #expect(shell.run(#"logits "The cat" --top 3"#).split(separator: "\n").count == 3)
        #expect(shell.run(#"lens "The cat sat""#).contains("block 0"))
        #expect(shell.run(#"attention "The cat sat" --layer 0 --head 1"#).contains("head 1"))
        let path = temporaryPath("act.h5")
        #expect(shell.run(#"activations "The cat" --hook blocks.0.mlp.hook_post --save "# + path).contains("saved"))
        #expect(try TensorFile.readFloats("blocks.0.mlp.hook_post", from: path).shape == [1, 2, 64])
        #expect(shell.shell.errorCount == 0)
    }

    @Test func snapshotsRestoreAndDiff() throws {
        let shell = CapturingShell()
        shell.run("snapshot before")
        let model = try shell.shell.session.model()
        model.parameters[3].tensor.data[0] += 1
        #expect(shell.run("diff before current").hasPrefix("1 of 16 tensors differ"))
        shell.run("restore before")
        #expect(shell.run("diff before current").hasPrefix("0 of 16 tensors differ"))
        let saved = temporaryPath("saved.h5")
        shell.run("save " + saved, "load model \(saved) --name copy", "use gpt2-mini")
        #expect(shell.run("diff gpt2-mini copy").hasPrefix("0 of 16"))
        // A snapshot without a name gets the first free snapshot-N; `models` lists them.
        #expect(shell.run("snapshot").hasPrefix("snapshot snapshot-1:"))
        #expect(shell.run("snapshot").hasPrefix("snapshot snapshot-2:"))
        let models = shell.run("models")
        #expect(models.contains("snapshot before (of gpt2-mini)") && models.contains("snapshot snapshot-2 (of gpt2-mini)"))
        // Restoring under a run that trains the model says what the run kept.
        shell.run("sophon config --inner-steps 1 --support 2 --query 2 --ntr-batch 1 --ntr-length 16 --guard-windows 1 --max-tokens 16 --env sgd:1e-3:all",
                  "sophon step --restricted examples/data/sentiment/imdb_short_test.tsv")
        #expect(shell.run("restore before").contains("note: the sophon run on gpt2-mini keeps its optimizer state and position (at iteration 1)"))
        #expect(shell.shell.errorCount == 0)
    }

    @Test func helpIsGeneratedFromMetadata() {
        let shell = CapturingShell()
        let all = shell.run("help")
        for name in ["load model", "generate", "pretrain", "bench"] { #expect(all.contains(name)) }
        let one = shell.run("help generate")
        #expect(one.contains("usage: generate PROMPT") && one.contains("--temperature") && one.contains("examples:"))
        let group = shell.run("help elm")
        for name in ["elm config", "elm step", "elm merge"] { #expect(group.contains(name)) }
        #expect(!group.contains("sophon"))
        #expect(shell.shell.errorCount == 0)
        shell.run("help nonsense")
        #expect(shell.shell.errorCount == 1)
    }

    @Test func benchJSONCarriesItsFigures() throws {
        let json = CapturingShell().run("bench mlp --json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        #expect(try #require(object["mlp_ms"] as? Double) > 0)
        #expect(object["threads"] as? Double ?? 0 >= 1)
    }
}
