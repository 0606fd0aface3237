// BenchCommand.swift — `bench`: the measured workloads of BENCHMARKS.md (run the same ones in
// tools/bench_torch.py for PyTorch's side). Never part of the tests.
import Procedures
import Autograd
import CBench
import Foundation
import GPT2

enum BenchCommand: Command {
    static let info = CommandInfo(
        name: "bench", abstract: "Measure SGEMM, an MLP step, GPT-2 training/forward/generation speed, a SOPHON iteration, an attack epoch, an ELM update and the forget report (release builds).",
        arguments: workloads.joined(separator: "|"),
        flags: [FlagInfo("layers", value: "L", "GPT-2 blocks (default 12: GPT-2 124M)"), FlagInfo("width", value: "D", "n_embd (default 768)"),
                FlagInfo("heads", value: "H", "heads (default 12)"), FlagInfo("seq", value: "T", "tokens per row (default 128)"),
                FlagInfo("batch", value: "B", "rows (default 4)"), FlagInfo("new", value: "N", "generated tokens (default 128)"),
                FlagInfo("reps", value: "R", "timed repetitions; the median is reported (default 5)")],
        examples: ["bench sgemm", "bench bandwidth", "bench train --batch 4 --seq 128", "bench generate --new 128", "bench sophon --reps 1", "bench finetune --reps 1", "bench elm", "bench probes --reps 1"],
        discussion: "sophon, finetune, elm and probes run on the current model (gpt2-mini by default; the training ones on a copy); sophon and elm at the settings of `sophon config` and `elm config`.")

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let what = try arguments.positional(0, "a workload: " + workloads.joined(separator: ", "))
        let reps = max(1, try arguments.int("reps", default: 5))
        context.note("threads: \(Threads.count)")
        context.set("threads", .int(Threads.count))
        context.set("numerical_setting", .string(Threads.numericalSetting))
        switch what {
        case "sgemm": try sgemm(context, reps: reps)
        case "bandwidth": memoryBandwidth(context, reps: reps)
        case "mlp": mlp(context, reps: reps)
        case "train", "forward", "features", "generate": try gpt2(what, arguments, context, reps: reps)
        case "sophon": try sophonIteration(context, reps: reps)
        case "finetune": try finetuneEpoch(context, reps: reps)
        case "elm": try elmUpdate(context, reps: reps)
        case "probes": try forgetReport(context, reps: reps)
        default: throw UsageError("bench: unknown workload \(what) (expected " + workloads.joined(separator: ", ") + ")")
        }
    }

    static let workloads = ["sgemm", "bandwidth", "mlp", "train", "forward", "features", "generate", "sophon", "finetune", "elm", "probes"]

    /// Read bandwidth: the threads sum disjoint parts of a 512 MiB buffer (what batch-1 generation
    /// does with the weights, which cannot stay in cache).
    static func memoryBandwidth(_ context: CommandContext, reps: Int) {
        let count = 1 << 27   // floats: 512 MiB
        let buffer = [Float](repeating: 1, count: count)
        let threads = Threads.count
        var sums = [Float](repeating: 0, count: threads)
        let seconds = median(reps) {
            buffer.withUnsafeBufferPointer { b in
                sums.withUnsafeMutableBufferPointer { out in
                    let (base, sink) = (UncheckedPointer(b.baseAddress!), UncheckedPointer(out.baseAddress!))
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let (start, end) = (count / 16 * t / threads * 16, count / 16 * (t + 1) / threads * 16)
                        var total = SIMD16<Float>(repeating: 0)
                        for i in stride(from: start, to: end, by: 16) { total += SIMD16(UnsafeBufferPointer(start: base.pointer + i, count: 16)) }
                        UnsafeMutablePointer(mutating: sink.pointer)[t] = total.sum()
                    }
                }
            }
        }
        let gigabytes = Double(count * 4) / 1e9
        context.note(String(format: "memory read bandwidth (%d threads, 512 MiB): %.1f GB/s", threads, gigabytes / seconds))
        context.set("read_gb_per_second", .number(gigabytes / seconds))
    }

    static func median(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()   // warm-up
        var times: [Double] = []
        for _ in 0..<reps {
            let start = Date()
            try body()
            times.append(Date().timeIntervalSince(start))
        }
        return times.sorted()[times.count / 2]
    }

    static func sgemm(_ context: CommandContext, reps: Int) throws {
        for (m, n, k) in [(512, 3072, 768), (1024, 1024, 1024)] {
            var rng = RNG(seed: 0)
            let a = Tensor.randn([m, k], rng: &rng).data, b = Tensor.randn([k, n], rng: &rng).data
            var c = [Float](repeating: 0, count: m * n)
            let ours = median(reps * 4) {
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    gemm(m: m, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!)
                } } }
            }
            let fromC = lethe_c_sgemm_seconds(Int32(m), Int32(n), Int32(k), Int32(reps * 4))
            let flops = 2 * Double(m * n * k)
            context.note(String(format: "sgemm %d×%d×%d: Lethe %.1f GFLOP/s, OpenBLAS from C %.1f GFLOP/s (%.1f%%)",
                                m, n, k, flops / ours / 1e9, flops / fromC / 1e9, 100 * fromC / ours))
            context.set("sgemm_\(m)x\(n)x\(k)", .object([("lethe_gflops", .number(flops / ours / 1e9)), ("openblas_c_gflops", .number(flops / fromC / 1e9))]))
        }
    }

    static func mlp(_ context: CommandContext, reps: Int) {
        var rng = RNG(seed: 0)
        let x = Tensor.randn([256, 512], rng: &rng)
        let w1 = Tensor.randn([512, 2048], std: 0.02, rng: &rng, requiresGrad: true), b1 = Tensor(zeros: [2048], requiresGrad: true)
        let w2 = Tensor.randn([2048, 512], std: 0.02, rng: &rng, requiresGrad: true), b2 = Tensor(zeros: [512], requiresGrad: true)
        let seconds = median(reps) {
            let loss = mean(gelu(linear(gelu(linear(x, weight: w1, bias: b1)), weight: w2, bias: b2)))
            loss.backward()
            for t in [w1, b1, w2, b2] { t.zeroGrad() }
        }
        context.note(String(format: "2-layer MLP 256×512→2048→512, forward+backward: %.2f ms", seconds * 1000))
        context.set("mlp_ms", .number(seconds * 1000))
    }

    static func gpt2(_ what: String, _ a: Arguments, _ context: CommandContext, reps: Int) throws {
        let config = GPT2Config(contextLength: 1024, embeddingSize: try a.int("width", default: 768), layerCount: try a.int("layers", default: 12),
                                headCount: try a.int("heads", default: 12), embeddingDropout: 0, residualDropout: 0, attentionDropout: 0)
        var rng = RNG(seed: 0)
        let model = try GPT2Model(config: config, rng: &rng)
        let batch = try a.int("batch", default: 4), seq = try a.int("seq", default: 128)
        let ids = (0..<(batch * seq)).map { _ in Int32(rng.nextInt(below: config.vocabSize)) }
        let tokens = TokenBatch(ids: ids, batchSize: batch, length: seq)
        context.note("GPT-2 \(config.layerCount) layers × \(config.embeddingSize), \(formatCount(config.parameterCount)) parameters")
        switch what {
        case "train":
            let optimizer = Adam.adamW(model.parameters)
            let seconds = try median(reps) {
                var r = RNG(seed: 1)
                _ = try DataParallel.backward(rows: batch, parameters: config.parameterCount, rng: &r) { rows, r in try model.languageModelLoss(tokens.rows(rows), training: true, rng: &r) }
                optimizer.step(learningRate: 1e-4)
                model.parameters.zeroGrad()
            }
            context.note(String(format: "train step (forward+backward+AdamW) %d×%d: %.0f ms, %.0f tokens/s", batch, seq, seconds * 1000, Double(batch * seq) / seconds))
            context.set("train_step_ms", .number(seconds * 1000))
            context.set("tokens_per_second", .number(Double(batch * seq) / seconds))
        case "features":
            // Frozen features for a probe: final hidden states only, no vocabulary projection.
            let seconds = try median(reps) {
                _ = try GradMode.withNoGrad {
                    try DataParallel.map(rows: batch) { rows in var r = RNG(seed: 0); return try model.hiddenStates(tokens.rows(rows), rng: &r) }
                }
            }
            context.note(String(format: "features %d×%d (final hidden states): %.0f ms, %.1f reviews/s", batch, seq, seconds * 1000, Double(batch) / seconds))
            context.set("features_ms", .number(seconds * 1000))
            context.set("sequences_per_second", .number(Double(batch) / seconds))
        case "forward":
            let seconds = try median(reps) { _ = try GradMode.withNoGrad { try model.logits(tokens) } }
            context.note(String(format: "forward %d×%d: %.0f ms, %.0f tokens/s", batch, seq, seconds * 1000, Double(batch * seq) / seconds))
            context.set("forward_ms", .number(seconds * 1000))
            context.set("tokens_per_second", .number(Double(batch * seq) / seconds))
        default:
            let new = try a.int("new", default: 128)
            let prompt = Array(ids.prefix(8))
            let seconds = try median(max(1, reps / 2)) {
                var r = RNG(seed: 2)
                _ = try model.generate(prompt: prompt, options: SamplingOptions(maxNewTokens: new, stopAtEndOfText: false), rng: &r)
            }
            context.note(String(format: "generate 1×%d (KV cache, greedy): %.2f s, %.1f tokens/s", new, seconds, Double(new) / seconds))
            context.set("generate_seconds", .number(seconds))
            context.set("tokens_per_second", .number(Double(new) / seconds))
        }
    }
}

/// A read-only pointer that may cross into the benchmark's worker threads (disjoint writes only).
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    init(_ pointer: UnsafePointer<Float>) { self.pointer = pointer }
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = UnsafePointer(pointer) }
}
