// LoadingTests.swift — every supported HDF5 layout loads; every kind of damage is refused with a clear error.
import Autograd
import Foundation
import GPT2
import Testing

@Suite("Loading GPT-2 from HDF5")
struct LoadingTests {
    @Test func configIsInferredOrReadFromConfigJSON() throws {
        let fixed = try GPT2Model.load(from: Fixtures.path("tiny-keras-fixed/tf_model.h5"))
        #expect(fixed.config.layerCount == 2 && fixed.config.embeddingSize == 64 && fixed.config.headCount == 1)
        #expect(fixed.config.vocabSize == 384 && fixed.config.contextLength == 32)
        let vlen = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        #expect(vlen.config.headCount == 4 && vlen.config.innerSize == 80 && vlen.config.layerCount == 3)
    }

    @Test func pytorchNamesGiveTheSameModel() throws {
        let keras = try GPT2Model.load(from: Fixtures.path("tiny-keras-fixed/tf_model.h5"))
        let torch = try GPT2Model.load(from: Fixtures.path("tiny-torch-names.h5"))
        #expect(keras.parameters.map(\.name) == torch.parameters.map(\.name))
        for (a, b) in zip(keras.parameters, torch.parameters) { #expect(a.tensor.data == b.tensor.data, "\(a.name)") }
    }

    @Test func checkpointRoundTripKeepsWeightsConfigAndHistory() throws {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        model.history.append("test: nothing really")
        let dir = temporaryFolder()
        let path = dir + "/checkpoint.h5"
        try model.save(to: path, extras: ["optimizer/step": (shape: [1], values: [7])])
        let back = try GPT2Model.load(from: path)
        #expect(back.config == model.config)
        for (a, b) in zip(model.parameters, back.parameters) { #expect(a.tensor.data == b.tensor.data) }
        #expect(back.history.contains("test: nothing really"))
        #expect(try GPT2Model.loadExtras(from: path)["optimizer/step"]?.values == [7])
        // The Keras layout Hugging Face reads: datasets under /transformer/<scope>/transformer/.
        let names = try TensorFile.datasetNames(in: path)
        #expect(names.contains("transformer/tfgp_t2lm_head_model/transformer/h_._0/attn/c_attn/bias:0"))
        #expect(try TensorFile.readFloats("transformer/tfgp_t2lm_head_model/transformer/h_._0/attn/c_attn/bias:0", from: path).shape == [1, 144])
    }

    // MARK: - Damage

    private func damagedCopy(_ edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void) throws -> String {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-fixed/tf_model.h5"))
        var tensors = model.parameters.map { (name: "transformer." + $0.name, shape: $0.tensor.shape, values: $0.tensor.data) }
        edit(&tensors)
        let path = temporaryFolder() + "/damaged.h5"
        try TensorFile.write(tensors, to: path)
        return path
    }

    private func loadError(_ path: String) -> String {
        do { _ = try GPT2Model.load(from: path); return "" } catch { return "\(error)" }
    }

    @Test func longAttributesAreSplitAndJoined() throws {
        // HDF5 refuses an attribute over 64 KB; a long run's state (its log) is longer than that.
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        let long = (0..<40_000).map { "\($0)…" }.joined(separator: ",")   // ~270 KB, with 3-byte characters
        let path = temporaryFolder() + "/long.h5"
        try model.save(to: path, attributes: ["state": long, "short": "x"])
        #expect(try GPT2Model.loadAttribute("state", from: path) == long)
        #expect(try GPT2Model.loadAttribute("short", from: path) == "x")
        #expect(try GPT2Model.loadAttribute("absent", from: path) == nil)
    }

    @Test func savedConfigHasItsKeysInOrder() throws {
        // A Swift dictionary's order changes from process to process: unsorted JSON would make every
        // save of the same model a different file (a shipped checkpoint "modified" by a replay).
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-vlen/tf_model.h5"))
        let path = temporaryFolder() + "/config.h5"
        try model.save(to: path)
        let json = try #require(try GPT2Model.loadAttribute("config", from: path))
        let keys = json.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            .filter { key in json.contains("\"\(key)\":") }
        #expect(keys.count >= 10, "\(json)")
        #expect(keys == keys.sorted(), "\(json)")
    }

    @Test func missingTensorIsNamed() throws {
        let path = try damagedCopy { $0.removeAll { $0.name == "transformer.h.1.mlp.c_fc.bias" } }
        let message = loadError(path)
        #expect(message.contains("missing tensor h.1.mlp.c_fc.bias") && message.contains("[256]"), "\(message)")
    }

    @Test func renamedTensorIsNamed() throws {
        let path = try damagedCopy { t in
            if let i = t.firstIndex(where: { $0.name == "transformer.h.0.ln_2.weight" }) { t[i].name = "transformer.h.0.ln_3.weight" }
        }
        #expect(loadError(path).contains("h.0.ln_3.weight"), "\(loadError(path))")
    }

    @Test func reshapedTensorShowsFoundAndExpectedShapes() throws {
        let path = try damagedCopy { t in
            if let i = t.firstIndex(where: { $0.name == "transformer.h.0.attn.c_proj.weight" }) { t[i].shape = [32, 128] }
        }
        let message = loadError(path)
        #expect(message.contains("h.0.attn.c_proj.weight") && message.contains("[32, 128]") && message.contains("[64, 64]"), "\(message)")
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        let path = try damagedCopy { t in
            if let i = t.firstIndex(where: { $0.name == "transformer.ln_f.bias" }) { t[i].values[3] = .nan }
        }
        #expect(loadError(path).contains("NaN"), "\(loadError(path))")
    }

    @Test func truncatedAndForeignFilesAreRefused() throws {
        let dir = temporaryFolder()
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("tiny-keras-fixed/tf_model.h5")))
        let truncated = dir + "/truncated.h5"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(loadError(truncated).contains("truncated.h5") && loadError(truncated).contains("truncated or damaged"), "\(loadError(truncated))")
        let text = dir + "/notes.txt"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(loadError(text).contains("not an HDF5 file"))
        #expect(loadError(dir + "/absent.h5").contains("no such file"))
    }

    @Test func configThatContradictsTheWeightsIsRefused() throws {
        let dir = temporaryFolder()
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-fixed/tf_model.h5"))
        try model.save(to: dir + "/tf_model.h5")
        try Data(#"{"n_layer": 5, "n_embd": 64, "n_head": 1, "vocab_size": 384, "n_positions": 32}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/config.json"))
        #expect(loadError(dir + "/tf_model.h5").contains("n_layer = 5"))
    }
}

