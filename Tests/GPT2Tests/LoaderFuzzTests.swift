// LoaderFuzzTests.swift — the HDF5 loader on seeded mutations of small model files: bit flips (more
// of them in the metadata at the front), truncations, and structural changes written through HDF5
// (shapes, dtypes, names, extra and missing tensors, config.json fields). Every outcome is a loaded,
// finite model or one line naming the file. LETHE_FUZZ_SCALE=N runs N times as many cases, LETHE_FUZZ_SEED=S others.
import Autograd
import Foundation
import GPT2
import Testing

private let fuzzScale = max(1, Int(ProcessInfo.processInfo.environment["LETHE_FUZZ_SCALE"] ?? "1") ?? 1)
private let fuzzSeed = UInt64(ProcessInfo.processInfo.environment["LETHE_FUZZ_SEED"] ?? "0") ?? 0

@Suite("Fuzzing the HDF5 loader", .serialized)
struct LoaderFuzzTests {
    /// Loads `path`; a failure must be one line that names it (or the config.json beside it).
    private func expectLoadsOrRefusesInOneLine(_ path: String, _ what: String) {
        do {
            let model = try GPT2Model.load(from: path)
            #expect(model.parameters.allSatisfy { $0.tensor.data.allSatisfy(\.isFinite) }, "\(what)")
        } catch {
            let message = "\(error)"
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            #expect((message.contains(path) || message.contains(folder + "/config.json")) && !message.contains("\n"), "\(what): \(message.debugDescription)")
        }
    }

    @Test func bitFlipsAndTruncations() throws {
        let source = Fixtures.path("tiny-keras-fixed/tf_model.h5")
        let original = try Data(contentsOf: URL(fileURLWithPath: source))
        let path = temporaryFolder() + "/mutated.h5"
        var rng = RNG(seed: 21 &+ fuzzSeed)
        for case_ in 0..<(800 * fuzzScale) {
            var bytes = [UInt8](original)
            if rng.nextInt(below: 5) == 0 {
                bytes = Array(bytes.prefix(rng.nextInt(below: bytes.count)))
            } else {
                for _ in 0..<(1 + rng.nextInt(below: 8)) {
                    // Half the flips land in the first 8 KB, where HDF5 keeps its superblock and object headers.
                    let limit = rng.nextInt(below: 2) == 0 ? min(8192, bytes.count) : bytes.count
                    let i = rng.nextInt(below: limit)
                    bytes[i] ^= UInt8(1) << UInt8(rng.nextInt(below: 8))
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            expectLoadsOrRefusesInOneLine(path, "case \(case_)")
        }
    }

    @Test func structuralChanges() throws {
        let model = try GPT2Model.load(from: Fixtures.path("tiny-keras-fixed/tf_model.h5"))
        let tensors = model.parameters.map { (name: "transformer." + $0.name, shape: $0.tensor.shape, values: $0.tensor.data) }
        let dir = temporaryFolder()
        var rng = RNG(seed: 22 &+ fuzzSeed)
        for case_ in 0..<(300 * fuzzScale) {
            let folder = dir + "/case\(case_)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/tf_model.h5"
            var edited = tensors
            var integers: [(name: String, shape: [Int], values: [Int64])] = []
            let i = rng.nextInt(below: edited.count)
            switch rng.nextInt(below: 7) {
            case 0:   // a changed shape (same or different number of values)
                var shape = edited[i].shape
                let axis = rng.nextInt(below: shape.count)
                shape[axis] = max(0, shape[axis] + rng.nextInt(below: 5) - 2)
                edited[i] = (edited[i].name, shape, [Float](repeating: 0.01, count: shape.reduce(1, *)))
            case 1:   // a tensor of integers instead of floats
                let t = edited.remove(at: i)
                integers.append((t.name, t.shape, t.values.map { Int64($0 * 100) }))
            case 2: edited.remove(at: i)
            case 3: edited.append((name: "transformer.h.\(2 + rng.nextInt(below: 40)).attn.c_attn.weight", shape: [64, 192], values: [Float](repeating: 0, count: 64 * 192)))
            case 4: edited[i].name = "transformer." + String(edited[i].name.dropFirst(12).shuffled())
            case 5: edited[i].values[rng.nextInt(below: edited[i].values.count)] = rng.pick([.nan, .infinity, -.infinity, .greatestFiniteMagnitude])
            default:  // a config.json beside it with one field out of range or of the wrong type
                let fields = ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "n_inner", "layer_norm_epsilon", "attn_pdrop"]
                let values = ["-1", "0", "1e30", "\"12\"", "null", "1.5", "384", "64", "99999999999999999999"]
                try "{\"\(rng.pick(fields))\": \(rng.pick(values))}".write(toFile: folder + "/config.json", atomically: true, encoding: .utf8)
            }
            try TensorFile.write(edited, integers: integers, to: path)
            expectLoadsOrRefusesInOneLine(path, "case \(case_)")
        }
    }
}

private extension RNG {
    mutating func pick<T>(_ items: [T]) -> T { items[nextInt(below: items.count)] }
}
