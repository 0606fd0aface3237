// CompletionTests.swift — Tab completion of flag values and positional names from the session
// (models, snapshots, hook names in the model's block range, a flag's listed choices), and
// "did you mean" ranked by edit distance, subcommands included.
import Foundation
@testable import Shell
import Testing

@Suite("Completion and suggestions", .serialized)
struct CompletionTests {
    init() {
        Completion.source = CompletionSource(models: { ["elm", "gpt2-mini", "whp"] }, snapshots: { ["before", "after-step"] }, layers: { 6 })
    }

    private func complete(_ line: String) -> [String] {
        let word = line.hasSuffix(" ") ? "" : String(line.split(separator: " ").last ?? "")
        return Completion.candidates(line: line, word: word)
    }

    @Test func modelsSnapshotsAndListsComplete() {
        #expect(complete("use g") == ["gpt2-mini"])
        #expect(complete("diff gpt2-mini ") == ["elm", "gpt2-mini", "whp"])
        #expect(complete("restore a") == ["after-step"])
        #expect(complete("finetune --models gpt2-mini,") == ["gpt2-mini,elm", "gpt2-mini,whp"])   // a model is listed once
        #expect(complete("probes --pool elm,w") == ["elm,whp"])
        #expect(complete("patch --from e") == ["elm"])
        #expect(complete("forget report --reference gp") == ["gpt2-mini"])
    }

    @Test func hooksStayInTheModelsBlockRange() {
        let resid = complete("activations x --hook blocks.5.hook_resid")
        #expect(resid == ["blocks.5.hook_resid_pre", "blocks.5.hook_resid_mid", "blocks.5.hook_resid_post"])
        #expect(complete("activations x --hook blocks.6").isEmpty)   // six blocks: 0–5
        #expect(complete("activations x --hook hook_").contains("hook_embed"))
    }

    @Test func listedChoicesComplete() {
        #expect(complete("finetune --optimizer ad") == ["adam", "adamw"])
        #expect(complete("finetune --head ") == ["reinit", "keep"])
        #expect(complete("finetune --trainable ") == ["all", "head"])   // last:K and lora:R take a number
        #expect(complete("finetune --optimizer adam --l").contains("--lr"))
        #expect(complete("sophon config --loss ") == ["inverse", "kl", "entropy"])   // a procedure's setting flags too
        #expect(complete("whp config --labels h") == ["hard"])
    }

    /// Paths complete from any prefix, a single letter included (Foundation's NSString path methods
    /// trap on one-character components on Linux; Tab after `load model m` used to crash the shell).
    @Test func pathsCompleteFromOneLetter() throws {
        let folder = temporaryFolder()
        for name in ["m.h5", "models-a.h5"] { FileManager.default.createFile(atPath: folder + "/" + name, contents: Data()) }
        try FileManager.default.createDirectory(atPath: folder + "/s", withIntermediateDirectories: true)
        #expect(Completion.paths(matching: folder + "/m") == [folder + "/m.h5", folder + "/models-a.h5"])
        #expect(Completion.paths(matching: folder + "/s") == [folder + "/s/"])
        #expect(Completion.paths(matching: folder + "/s/").isEmpty)
        #expect(Completion.split("s") == ("", "s") && Completion.split("a/") == ("a", "") && Completion.split("/b") == ("/", "b"))
        #expect(complete("load model \(folder)/s") == [folder + "/s/"])
    }

    @Test func commandNamesCompleteAfterHelp() {
        #expect(complete("help toke") == ["tokenize"])
        #expect(complete("help sophon s").contains("step") && complete("help sophon s").contains("status"))
    }

    @Test func suggestionsAreRankedByEditDistance() {
        #expect(CommandRegistry.suggestions(for: ["perplexty"]).first == "perplexity")
        #expect(CommandRegistry.suggestions(for: ["sophon", "stpe"]).first == "sophon step")
        #expect(CommandRegistry.suggestions(for: ["elm", "rn"]).first == "elm run")
        let shell = CapturingShell()
        #expect(shell.run("sophon stpe").contains("unknown command 'sophon stpe' (did you mean: sophon step"))
        #expect(shell.run("genrate hi").contains("did you mean: generate"))
        // The test model has one block: the error names the range and the nearest hook in it.
        let hook = shell.run("activations hi --hook blocks.9.hook_resid_post")
        #expect(hook.contains("for N in 0–0; did you mean blocks.0.hook_resid_post"), "\(hook)")
        #expect(EditDistance.between("stpe", "step") == 1 && EditDistance.between("kitten", "sitting") == 3)
    }
}
