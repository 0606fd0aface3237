// HostileFileTests.swift — files made to hurt (by tools/make_hostile_fixtures.py, with h5py) are
// refused with one line naming the file and what was expected, before anything large is allocated.
import Foundation
import GPT2
import Testing

@Suite("Hostile model and tokenizer files")
struct HostileFileTests {
    private func loadError(_ path: String) -> String {
        do { _ = try GPT2Model.load(from: path); return "loaded" } catch { return "\(error)" }
    }

    @Test func externalStorageIsRefused() {
        let path = Fixtures.path("hostile/external/model.h5")
        let message = loadError(path)
        #expect(message == "\(path): dataset transformer.wpe.weight keeps its data in external files (expected data stored in this file)", "\(message)")
    }

    @Test func virtualDatasetsAreRefused() {
        let path = Fixtures.path("hostile/virtual/model.h5")
        let message = loadError(path)
        #expect(message == "\(path): dataset transformer.wpe.weight is a virtual dataset (expected data stored in this file)", "\(message)")
    }

    @Test func softExternalAndCyclicLinksAreRefused() {
        let soft = Fixtures.path("hostile/links/soft.h5"), external = Fixtures.path("hostile/links/external.h5")
        let cycle = Fixtures.path("hostile/links/cycle.h5")
        #expect(loadError(soft) == "\(soft): group / has 1 soft or external link(s) (expected data stored in this file)", "\(loadError(soft))")
        #expect(loadError(external) == "\(external): group / has 1 soft or external link(s) (expected data stored in this file)")
        #expect(loadError(cycle) == "\(cycle): group /loop/again links back to a group above it (expected a tree of groups)", "\(loadError(cycle))")
    }

    @Test func aTensorDeclaredLargerThanTheFileIsRefusedBeforeAllocating() {
        let path = Fixtures.path("hostile/huge-declared.h5")
        let message = loadError(path)
        #expect(message.hasPrefix("\(path): dataset transformer.wte.weight declares shape [5000000, 64] but the file stores only"), "\(message)")
    }

    @Test func aModelLargerThanMemoryIsRefusedBeforeAllocating() {
        let path = Fixtures.path("hostile/huge-model.h5")
        let message = loadError(path)
        #expect(message.hasPrefix("\(path): declares a GPT-2 of 8"), "\(message)")
        #expect(message.contains("GB of weights); this machine has room for"))
    }

    @Test func aTokenIdOfTwoBillionIsRefused() {
        let folder = Fixtures.path("hostile/tokenizer-huge-id")
        do {
            _ = try BPETokenizer(directory: folder)
            Issue.record("a vocabulary with id 2e9 loaded")
        } catch {
            #expect("\(error)" == "\(folder)/encoder.json: token \"a\" has id 2000000000 (expected ids 0..<256, one per token)", "\(error)")
        }
    }

    // MARK: config.json

    private func modelWithConfig(_ json: String) throws -> String {
        let dir = temporaryFolder()
        try FileManager.default.copyItem(atPath: Fixtures.path("tiny-keras-fixed/tf_model.h5"), toPath: dir + "/tf_model.h5")
        try json.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func everyConfigFieldIsRangeChecked() throws {
        let dir = try modelWithConfig(#"{"vocab_size": 384, "n_positions": 32, "n_embd": 64, "n_layer": 2, "n_head": 1, "layer_norm_epsilon": -1}"#)
        #expect(loadError(dir + "/tf_model.h5") == "\(dir)/config.json: layer_norm_epsilon must be a positive number below 1 (GPT-2: 1e-5), got -1.0")
        let nan = try modelWithConfig(#"{"vocab_size": 384, "n_positions": 32, "n_embd": 64, "n_layer": 2, "n_head": 1, "attn_pdrop": 1.5}"#)
        #expect(loadError(nan + "/tf_model.h5") == "\(nan)/config.json: attn_pdrop must be in [0, 1), got 1.5")
    }

    @Test func aConfigWithoutNHeadNamesTheFile() throws {
        let dir = try modelWithConfig(#"{"vocab_size": 384, "n_positions": 32, "n_embd": 40, "n_layer": 2}"#)
        let message = loadError(dir + "/tf_model.h5")
        #expect(message.hasPrefix("\(dir)/config.json: "), "\(message)")
        #expect(message.contains("n_head") && message.contains("missing"), "\(message)")
    }

    // MARK: messages

    @Test func anUnreadableFileSaysSoNotThatItIsNotHDF5() throws {
        // A socket cannot be opened for reading, even by root (which ignores file permissions).
        let path = temporaryFolder() + "/model.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(bound == 0)
        let message = loadError(path)
        #expect(message.hasPrefix("\(path): cannot read ("), "\(message)")
    }

    @Test func historyStoresNoAbsolutePathOutsideTheCurrentFolder() throws {
        let path = temporaryFolder() + "/elsewhere.h5"   // outside the current folder
        try FileManager.default.copyItem(atPath: Fixtures.path("tiny-keras-fixed/tf_model.h5"), toPath: path)
        let model = try GPT2Model.load(from: path)
        #expect(model.history.last == "loaded from elsewhere.h5", "\(model.history)")
    }
}
