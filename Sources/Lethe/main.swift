import Autograd
import Foundation
import GPT2
import Procedures

// Temporary throughput probe (replaced by the shell's `bench` command).
let args = CommandLine.arguments
let layers = Int(args[1])!, width = Int(args[2])!, heads = Int(args[3])!, seq = Int(args[4])!, batch = Int(args[5])!
var rng = RNG(seed: 0)
let config = GPT2Config(contextLength: seq + 1, embeddingSize: width, layerCount: layers, headCount: heads, embeddingDropout: 0, residualDropout: 0, attentionDropout: 0)
let model = try GPT2Model(config: config, rng: &rng)
let opt = Adam.adamW(model.parameters)
for i in 0..<6 {
    let ids = (0..<(batch * (seq + 1))).map { _ in Int32(rng.nextInt(below: 50257)) }
    let start = Date()
    let tb = TokenBatch(ids: ids, batchSize: batch, length: seq + 1)
    let loss = try model.languageModelLoss(tb, training: true, rng: &rng)
    let t1 = Date()
    loss.backward()
    let t2 = Date()
    opt.step(learningRate: 1e-4)
    model.parameters.zeroGrad()
    let t3 = Date()
    print(i, loss.item, String(format: "fwd %.3f bwd %.3f opt %.3f total %.3f s  %.0f tok/s", t1.timeIntervalSince(start), t2.timeIntervalSince(t1), t3.timeIntervalSince(t2), t3.timeIntervalSince(start), Double(batch * seq) / t3.timeIntervalSince(start)))
}
