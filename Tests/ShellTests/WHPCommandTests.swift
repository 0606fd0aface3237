// WHPCommandTests.swift — WHP's moves in the shell: models appear under their names, the baseline
// is untouched, labels are explained, settings that change labels discard them.
import Foundation
import Shell
import Testing

@Suite("WHP commands")
struct WHPCommandTests {
    @Test func threeMovesStepByStep() throws {
        let shell = CapturingShell()
        let before = shell.run(#"score "Holmes looked at Watson." --json"#)
        shell.run("whp config --reinforce-steps 2 --finetune-steps 2 --blocks 3 --batch 2 --block-length 16")
        #expect(shell.run(#"whp translate "Holmes looked at Watson.""#).contains("Harris looked at Miller."))
        #expect(shell.run("whp reinforce").contains("reinforced model after 2 steps is in the session as reinforced"))
        let labels = shell.run("whp labels --limit 3")
        #expect(labels.contains("3 blocks labelled") && labels.contains("block 0:"))
        #expect(shell.run("whp config --alpha 1").contains("labels discarded"))
        shell.run("whp labels")
        #expect(!shell.run("whp config --labels hard").contains("labels discarded"))   // a choice of loss, not of labels
        #expect(shell.run("whp finetune").contains("unlearned model after 2 steps is in the session as whp"))
        let models = shell.run("models")
        #expect(models.contains("reinforced") && models.contains("* whp"))
        shell.run("use gpt2-mini")
        #expect(shell.run(#"score "Holmes looked at Watson." --json"#) == before)   // the baseline is untouched
        #expect(shell.run("whp status").contains("reinforce 2/2 steps; labels 3/3 blocks; finetune 2/2 steps"))
        #expect(shell.run("whp config --block-length 32").contains("--block-length is fixed once a run has started"))
        #expect(shell.run("whp config --dictionary other.json").contains("--dictionary is fixed once a run has started (`whp reset` first)"))
        #expect(shell.run("whp status").contains("reinforce 2/2 steps; labels 3/3 blocks"))   // refusals left the run as it was
        #expect(shell.shell.errorCount == 2)
    }

    /// `--seed` chooses the fine-tunes' batches: the same seed trains the same reinforced model, another
    /// seed another one; and, like the dictionary, it is fixed once the run has started.
    @Test func theSeedChoosesTheBatches() throws {
        func reinforcedScore(seed: Int) -> String {
            let shell = CapturingShell()
            shell.run("whp config --reinforce-steps 2 --blocks 1 --batch 2 --block-length 16 --seed \(seed)", "whp reinforce", "use reinforced")
            let score = shell.run(#"score "Holmes looked at Watson." --json"#)
            #expect(shell.run("whp config --seed \(seed + 1)").contains("--seed is fixed once a run has started"))
            return score
        }
        #expect(reinforcedScore(seed: 7) == reinforcedScore(seed: 7))
        #expect(reinforcedScore(seed: 7) != reinforcedScore(seed: 8))
    }

    /// A dictionary built from the books loads as WHP's dictionary and translates the books' names.
    @Test func aBuiltDictionaryDrivesTheTranslation() throws {
        let shell = CapturingShell()
        let path = temporaryPath("built-dictionary.json")
        let out = try json(shell.run("whp dictionary --out \(path) --limit 5 --show 0 --json"))
        #expect(out["terms"] as? Int == 5)
        #expect(try #require(out["register_answers_covered"] as? Int) >= 1)   // "Holmes" is both a term and an answer
        shell.run("whp config --dictionary \(path) --blocks 1 --block-length 16")
        let translation = shell.run(#"whp translate "Holmes looked at the door.""#)
        #expect(translation.contains("looked at the door.") && !translation.contains("translation (6 tokens, 0 distinct anchors)"))
        #expect(!translation.split(separator: "\n").last!.contains("Holmes"))
        #expect(shell.run("whp dictionary --out \(path) --min-count 100000").contains("no term passes"))
        #expect(shell.shell.errorCount == 1)
    }

    @Test func hardAndSoftLabelsBothTrain() throws {
        // Soft labels (the default) and the paper's hard labels give different unlearned models.
        var scores: [String] = []
        for kind in ["soft", "hard"] {
            let shell = CapturingShell()
            #expect(shell.run("whp config --labels \(kind) --reinforce-steps 2 --finetune-steps 2 --blocks 2 --batch 2 --block-length 16")
                .contains("\(kind) labels"))
            shell.run("whp reinforce", "whp labels", "whp finetune")
            scores.append(shell.run(#"score "Holmes looked at Watson.""#))
            #expect(shell.shell.errorCount == 0)
        }
        #expect(scores[0] != scores[1])
        let shell = CapturingShell()
        shell.run("whp config --labels fuzzy")
        #expect(shell.shell.errorCount == 1)
    }
}

