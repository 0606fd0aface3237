// ParallelKernelTests.swift — kernels large enough to run on several threads give the same values as on one.
// (Run once under `swift test --sanitize=thread --filter ParallelKernelTests`: no races reported.)
import Autograd
import Testing

@Suite("Parallel kernels")
struct ParallelKernelTests {
    private func everything() -> [[Float]] {
        let x = randomTensor([64, 256], seed: 40), w = randomTensor([256], seed: 41), b = randomTensor([256], seed: 42)
        let qkv = randomTensor([2, 24, 3 * 64], seed: 43)
        let head = randomTensor([300, 64], seed: 44)
        for t in [x, w, b, qkv, head] { t.requiresGrad = true }
        let targets = (0..<(2 * 24)).map { Int32($0 % 300) }
        let attended = causalSelfAttention(qkv, heads: 4, lengths: [24, 17])                 // [2, 24, 64]
        let loss = add(add(sum(gelu(layerNorm(x, weight: w, bias: b))), projectedCrossEntropy(attended, weight: head, targets: targets)),
                       crossEntropy(reshape(x, [256, 64]), targets: (0..<256).map { Int32($0 % 64) }))
        loss.backward()
        let parameters = [Parameter("x", x), Parameter("w", w), Parameter("head", head)]
        Adam.adamW(parameters).step(learningRate: 0.01)
        return [[loss.item], x.grad!, w.grad!, b.grad!, qkv.grad!, head.grad!, x.data, head.data]
    }

    @Test func oneThreadAndTwoAgree() {
        let saved = Threads.count
        defer { Threads.count = saved }
        Threads.count = 1
        let serial = everything()
        Threads.count = 2
        let parallel = everything()
        for (i, (a, b)) in zip(serial, parallel).enumerated() {
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            #expect(worst < 1e-5, "output \(i) differs between 1 and 2 threads by \(worst)")
        }
    }
}
