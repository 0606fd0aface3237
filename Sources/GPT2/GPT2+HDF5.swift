// GPT2+HDF5.swift — loading GPT-2 from HDF5 (Hugging Face's tf_model.h5, or PyTorch names) and
// saving Lethe checkpoints in the tf_model.h5 layout. Every expected tensor is verified
// (mlx-swift-lm's `verify: .all`): missing, extra, mis-shaped, non-float or non-finite data is refused.
import Autograd
import Foundation

/// The TF scope Hugging Face's `TFGPT2LMHeadModel` writes (tf.keras 2.x `to_snake_case`).
let tfModelScope = "tfgp_t2lm_head_model"

extension GPT2Model {
    /// Loads a GPT-2 from an HDF5 file: Hugging Face's `tf_model.h5` layout (any model-scope name,
    /// `wte/weight:0` or `wte/embeddings:0`, `[1, n]` biases, split `weight_names0..N`), or the same
    /// tensors under PyTorch names (`transformer.h.0.attn.c_attn.weight` or `h.0.attn.c_attn.weight`).
    /// The config comes from `config.json` beside the file, else from a Lethe checkpoint's own
    /// attribute, else from the tensor shapes (head size 64, as in every GPT-2 size).
    public static func load(from path: String) throws -> GPT2Model {
        let file: HDF5File
        do { file = try HDF5File(readingFrom: path) } catch let e as HDF5Error { throw GPT2Error(e.description) }
        defer { file.close() }
        do {
            let located = try locateTensors(in: file)
            var config = try inferConfig(located: located, file: file)
            if let fromFile = try configBeside(path) ?? embeddedConfig(in: file) {
                config = try reconcile(fromFile, inferred: config, path: path)
            }
            do { try config.validate() } catch let error as GPT2Error {   // sizes inferred from the tensors, or Lethe's own attribute
                throw GPT2Error("\(path): " + error.description.replacingOccurrences(of: "config: ", with: ""))
            }
            // What the shapes declare must fit in memory before anything is allocated (the weights,
            // then a forward pass's worth again; checked before reading, so a small file cannot lie its way to gigabytes).
            let needed = Double(config.parameterCount) * 4, available = Double(ProcessInfo.processInfo.physicalMemory) / 2
            guard needed <= available else {
                throw GPT2Error(String(format: "\(path): declares a GPT-2 of %.0fM parameters (%.1f GB of weights); this machine has room for %.1f GB",
                                       Double(config.parameterCount) / 1e6, needed / 1e9, available / 1e9))
            }
            let tensors = try readVerified(located, config: config, file: file)
            let model = GPT2Model(config: config, tensors: tensors)
            if file.hasAttribute("lethe_history", on: "/"), let history = try? file.stringAttribute("lethe_history", on: "/") {
                model.history = history.filter { !$0.isEmpty }
            }
            model.history.append("loaded from \(displayPath(path))")
            return model
        } catch let e as HDF5Error {
            throw GPT2Error(e.description)
        }
    }

    // MARK: - Finding the tensors

    /// Canonical name (`h.0.attn.c_attn.weight`) → dataset path in the file.
    private static func locateTensors(in file: HDF5File) throws -> [String: String] {
        if file.hasAttribute("layer_names", on: "/") || file.hasAttribute("layer_names0", on: "/") {
            return try locateKerasTensors(in: file)
        }
        var located: [String: String] = [:]
        for dataset in try file.datasetPaths() where !dataset.hasPrefix("lethe/") {
            guard let name = canonicalName(pytorch: dataset) else {
                throw GPT2Error("\(file.path): unexpected dataset \(dataset) (expected GPT-2 tensors such as h.0.attn.c_attn.weight)")
            }
            if name.isEmpty { continue }   // buffers and the tied head
            if located[name] != nil { throw GPT2Error("\(file.path): tensor \(name) appears twice (\(located[name]!) and \(dataset))") }
            located[name] = dataset
        }
        if located.isEmpty { throw GPT2Error("\(file.path): no GPT-2 tensors found (expected a tf_model.h5 layout or PyTorch names)") }
        return located
    }

    /// Keras HDF5 weights: root `layer_names`, and per layer group a `weight_names` list.
    private static func locateKerasTensors(in file: HDF5File) throws -> [String: String] {
        let layers = try chunkedStrings("layer_names", on: "/", file: file)
        var located: [String: String] = [:]
        for layer in layers where !layer.isEmpty {
            let names = try chunkedStrings("weight_names", on: "/" + layer, file: file)
            for fullName in names where !fullName.isEmpty {
                guard let name = canonicalName(keras: fullName) else {
                    throw GPT2Error("\(file.path): unexpected weight \(fullName) in layer \(layer) (not a GPT-2 tensor)")
                }
                let dataset = layer + "/" + fullName
                guard file.exists("/" + dataset) else {
                    throw GPT2Error("\(file.path): weight_names lists \(fullName) but dataset /\(dataset) is missing")
                }
                if located[name] != nil { throw GPT2Error("\(file.path): tensor \(name) appears twice") }
                located[name] = dataset
            }
        }
        return located
    }

    /// Reads `name`, or `name0, name1, …` (Keras splits attributes over 64 KB).
    private static func chunkedStrings(_ name: String, on object: String, file: HDF5File) throws -> [String] {
        if file.hasAttribute(name, on: object) { return try file.stringAttribute(name, on: object) }
        var result: [String] = []
        var i = 0
        while file.hasAttribute("\(name)\(i)", on: object) {
            result += try file.stringAttribute("\(name)\(i)", on: object)
            i += 1
        }
        guard i > 0 else { throw GPT2Error("\(file.path): attribute \(name) missing on \(object) (expected a Keras weights file)") }
        return result
    }

    /// `tfgp_t2lm_head_model/transformer/h_._0/attn/c_attn/weight:0` → `h.0.attn.c_attn.weight`.
    /// The first component (model scope) is opaque; `transformer/` is dropped.
    static func canonicalName(keras fullName: String) -> String? {
        var parts = fullName.split(separator: "/").map(String.init)
        guard parts.count >= 3 else { return nil }
        parts.removeFirst()                                   // model scope
        if parts.first == "transformer" { parts.removeFirst() }
        guard var leaf = parts.popLast(), leaf.hasSuffix(":0") else { return nil }
        leaf.removeLast(2)
        switch leaf {
        case "gamma", "kernel", "embeddings": leaf = "weight"
        case "beta": leaf = "bias"
        case "weight", "bias": break
        default: return nil
        }
        let path = parts.joined(separator: "/").replacingOccurrences(of: "_._", with: ".").replacingOccurrences(of: "/", with: ".")
        let name = path + "." + leaf
        return isCanonical(name) ? name : nil
    }

    /// `transformer.h.0.ln_1.weight` or `h.0.ln_1.weight` → `h.0.ln_1.weight`; `""` for tensors
    /// to skip (the tied `lm_head.weight`, attention mask buffers); `nil` for anything else.
    static func canonicalName(pytorch dataset: String) -> String? {
        var name = dataset.hasPrefix("/") ? String(dataset.dropFirst()) : dataset
        name = name.replacingOccurrences(of: "/", with: ".")
        if name.hasPrefix("transformer.") { name.removeFirst("transformer.".count) }
        if name == "lm_head.weight" || name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") { return "" }
        return isCanonical(name) ? name : nil
    }

    private static let blockSuffixes: Set<String> = Set(GPT2Block.parameterShapes(GPT2Config()).map(\.0))

    private static func isCanonical(_ name: String) -> Bool {
        if ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"].contains(name) { return true }
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        return parts.count == 3 && parts[0] == "h" && Int(parts[1]).map({ $0 >= 0 }) == true && blockSuffixes.contains(parts[2])
    }

    // MARK: - Config

    private static func shapeOf(_ dataset: String, file: HDF5File) throws -> [Int] {
        try file.shape(of: dataset)
    }

    private static func inferConfig(located: [String: String], file: HDF5File) throws -> GPT2Config {
        guard let wte = located["wte.weight"] else { throw GPT2Error("\(file.path): missing tensor wte.weight (expected [vocab, n_embd])") }
        guard let wpe = located["wpe.weight"] else { throw GPT2Error("\(file.path): missing tensor wpe.weight (expected [n_positions, n_embd])") }
        let vocabShape = try shapeOf(wte, file: file), positionShape = try shapeOf(wpe, file: file)
        guard vocabShape.count == 2 else { throw GPT2Error("\(file.path): wte.weight has shape \(vocabShape), expected [vocab, n_embd]") }
        guard positionShape.count == 2 else { throw GPT2Error("\(file.path): wpe.weight has shape \(positionShape), expected [n_positions, n_embd]") }
        let width = positionShape[1]
        let layers = (located.keys.compactMap { name -> Int? in
            guard name.hasPrefix("h.") else { return nil }
            return Int(name.split(separator: ".")[1])
        }.max() ?? -1) + 1
        var inner = 4 * width
        if let fc = located["h.0.mlp.c_fc.weight"], let shape = try? shapeOf(fc, file: file), shape.count == 2 { inner = shape[1] }
        return GPT2Config(vocabSize: vocabShape[0], contextLength: positionShape[0], embeddingSize: width,
                          layerCount: layers, headCount: max(1, width / 64), innerSize: inner)
    }

    private static func configBeside(_ path: String) throws -> GPT2Config? {
        let url = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let config: GPT2Config
        do { config = try JSONDecoder().decode(GPT2Config.self, from: data) } catch {
            throw GPT2Error("\(url.path): not a valid GPT-2 config.json (\(describe(error)))")
        }
        do { try config.validate() } catch let error as GPT2Error {
            // Keys config.json leaves out take GPT-2's defaults (as in Hugging Face); say which did.
            let present = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]).map { Set($0.keys) } ?? []
            let missing = ["n_embd", "n_head", "n_layer", "n_positions", "vocab_size"].filter { !present.contains($0) }
            let note = missing.isEmpty ? "" : " (missing, so GPT-2's defaults were used: \(missing.joined(separator: ", ")))"
            throw GPT2Error("\(url.path): \(error.description.replacingOccurrences(of: "config: ", with: ""))\(note)")
        }
        return config
    }

    private static func embeddedConfig(in file: HDF5File) throws -> GPT2Config? {
        guard file.hasAttribute("lethe_config", on: "/"), let json = try file.stringAttribute("lethe_config", on: "/").first else { return nil }
        return try? JSONDecoder().decode(GPT2Config.self, from: Data(json.utf8))
    }

    /// The file's config must agree with the tensors on every size they determine.
    private static func reconcile(_ declared: GPT2Config, inferred: GPT2Config, path: String) throws -> GPT2Config {
        let checks: [(String, Int, Int)] = [("vocab_size", declared.vocabSize, inferred.vocabSize),
                                            ("n_positions", declared.contextLength, inferred.contextLength),
                                            ("n_embd", declared.embeddingSize, inferred.embeddingSize),
                                            ("n_layer", declared.layerCount, inferred.layerCount),
                                            ("n_inner", declared.innerSize, inferred.innerSize)]
        for (key, said, found) in checks where said != found {
            throw GPT2Error("\(path): config says \(key) = \(said) but the weights have \(found)")
        }
        return declared
    }

    // MARK: - Reading and verifying

    private static func readVerified(_ located: [String: String], config: GPT2Config, file: HDF5File) throws -> [String: Tensor] {
        let expected = parameterShapes(config)
        let expectedNames = Set(expected.map(\.0))
        if let extra = located.keys.sorted().first(where: { !expectedNames.contains($0) }) {
            throw GPT2Error("\(file.path): unexpected tensor \(extra) (dataset \(located[extra]!)) for a \(config.layerCount)-layer GPT-2")
        }
        var tensors: [String: Tensor] = [:]
        for (name, shape) in expected {
            guard let dataset = located[name] else {
                throw GPT2Error("\(file.path): missing tensor \(name) (expected shape \(shape))")
            }
            // The shape is checked before reading: a file must not make Lethe allocate what it declares.
            let found = try file.shape(of: dataset)
            // Keras' Conv1D biases are [1, n]; PyTorch's are [n].
            let acceptable = found == shape || (shape.count == 1 && found == [1] + shape)
            guard acceptable else {
                throw GPT2Error("\(file.path): dataset \(dataset) has shape \(found), expected \(shape)")
            }
            let (_, values) = try file.readFloats(dataset)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw GPT2Error("\(file.path): dataset \(dataset) contains \(values[bad].isNaN ? "NaN" : "Inf") at index \(bad) (expected finite weights)")
            }
            tensors[name] = Tensor(shape: shape, data: values)
        }
        return tensors
    }

    // MARK: - Saving

    /// Saves in the `tf_model.h5` layout Hugging Face reads (`TFGPT2LMHeadModel.from_pretrained`),
    /// plus Lethe's attributes (`lethe_config`, `lethe_history`) and any `extras` datasets
    /// (optimizer and procedure state) under `/lethe/`, which Keras readers ignore.
    /// The write is atomic: an interrupted save leaves an existing file intact.
    public func save(to path: String, extras: [String: (shape: [Int], values: [Float])] = [:],
                     attributes: [String: String] = [:]) throws {
        do {
            try writeHDF5Atomically(to: path) { file in
                var weightNames: [String] = []
                for p in parameters {
                    let kerasName = GPT2Model.kerasName(p.name)
                    let shape = GPT2Model.isConv1DBias(p.name) ? [1] + p.tensor.shape : p.tensor.shape
                    try file.writeFloats("transformer/" + kerasName, shape: shape, values: p.tensor.data)
                    weightNames.append(kerasName)
                }
                try file.setStringAttribute("weight_names", on: "/transformer", weightNames)
                try file.setStringAttribute("layer_names", on: "/", ["transformer"])
                try file.setStringAttribute("backend", on: "/", ["tensorflow"], scalar: true)
                try file.setStringAttribute("keras_version", on: "/", ["2.2.4-tf"], scalar: true)
                let configJSON = try StableJSON.string(config)
                try file.setStringAttribute("lethe_config", on: "/", [configJSON], scalar: true)
                try file.setStringAttribute("lethe_history", on: "/", history.isEmpty ? [""] : history)
                for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                    // HDF5 keeps an attribute in the object header (64 KB at most): a long value (a run's
                    // log) is split over `lethe_NAME0`, `lethe_NAME1`, … as Keras splits its own.
                    let chunks = GPT2Model.attributeChunks(value)
                    if chunks.count == 1 {
                        try file.setStringAttribute("lethe_" + name, on: "/", [value], scalar: true)
                    } else {
                        for (i, chunk) in chunks.enumerated() { try file.setStringAttribute("lethe_\(name)\(i)", on: "/", [chunk], scalar: true) }
                    }
                }
                for (name, extra) in extras.sorted(by: { $0.key < $1.key }) {
                    try file.writeFloats("lethe/" + name, shape: extra.shape, values: extra.values)
                }
            }
        } catch let e as HDF5Error {
            throw GPT2Error(e.description)
        }
    }

    /// `value` cut at character boundaries into pieces of at most `limit` UTF-8 bytes (one piece when it fits).
    static func attributeChunks(_ value: String, limit: Int = 60_000) -> [String] {
        guard value.utf8.count > limit else { return [value] }
        var chunks: [String] = [], current = "", bytes = 0
        for character in value {
            let size = character.utf8.count
            if bytes + size > limit { chunks.append(current); current = ""; bytes = 0 }
            current.append(character)
            bytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Reads one string attribute written by ``save(to:extras:attributes:)`` (nil when absent), joining
    /// the pieces of one that was split.
    public static func loadAttribute(_ name: String, from path: String) throws -> String? {
        do {
            let file = try HDF5File(readingFrom: path)
            defer { file.close() }
            if file.hasAttribute("lethe_" + name, on: "/") { return try file.stringAttribute("lethe_" + name, on: "/").first }
            var chunks: [String] = []
            while file.hasAttribute("lethe_\(name)\(chunks.count)", on: "/") {
                chunks.append(try file.stringAttribute("lethe_\(name)\(chunks.count)", on: "/").first ?? "")
            }
            return chunks.isEmpty ? nil : chunks.joined()
        } catch let e as HDF5Error {
            throw GPT2Error(e.description)
        }
    }

    /// Reads the `/lethe/...` extras a checkpoint carries (empty for Hugging Face files).
    public static func loadExtras(from path: String) throws -> [String: (shape: [Int], values: [Float])] {
        do {
            let file = try HDF5File(readingFrom: path)
            defer { file.close() }
            guard file.exists("/lethe") else { return [:] }
            var extras: [String: (shape: [Int], values: [Float])] = [:]
            for dataset in try file.datasetPaths(under: "/lethe") {
                extras[String(dataset.dropFirst("lethe/".count))] = try file.readFloats(dataset)
            }
            return extras
        } catch let e as HDF5Error {
            throw GPT2Error(e.description)
        }
    }

    /// `h.0.attn.c_attn.bias` → `tfgp_t2lm_head_model/transformer/h_._0/attn/c_attn/bias:0`.
    static func kerasName(_ name: String) -> String {
        var parts = name.split(separator: ".").map(String.init)
        var leaf = parts.removeLast()
        let isLayerNorm = parts.last?.hasPrefix("ln_") ?? false
        if isLayerNorm { leaf = leaf == "weight" ? "gamma" : "beta" }
        if parts == ["wpe"] { leaf = "embeddings" }
        var path = parts.joined(separator: "/")
        if path.hasPrefix("h/") {   // h/0/attn → h_._0/attn
            let rest = path.dropFirst(2)
            path = "h_._" + rest
        }
        return "\(tfModelScope)/transformer/\(path)/\(leaf):0"
    }

    static func isConv1DBias(_ name: String) -> Bool {
        name.hasSuffix("c_attn.bias") || name.hasSuffix("c_proj.bias") || name.hasSuffix("c_fc.bias")
    }
}

/// A decoding error as one line that says which key and what was expected.
private func describe(_ error: Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    func key(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".").isEmpty ? "the file" : context.codingPath.map(\.stringValue).joined(separator: ".")
    }
    switch error {
    case let .typeMismatch(type, context): return "\(key(context)): expected \(type == Float.self || type == Double.self ? "a number" : type == Int.self ? "a whole number" : "\(type)")"
    case let .valueNotFound(type, context): return "\(key(context)): expected \(type), found null"
    case let .keyNotFound(codingKey, _): return "missing \(codingKey.stringValue)"
    case let .dataCorrupted(context):
        let detail = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String ?? context.debugDescription
        return context.codingPath.isEmpty ? "not JSON: \(detail)" : "\(key(context)): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
}
