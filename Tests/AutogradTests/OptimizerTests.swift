// OptimizerTests.swift — optimizer steps against values computed by hand.
import Autograd
import Testing

private func parameter(_ value: Float, grad: Float, name: String = "w", rank2: Bool = true) -> Parameter {
    let t = Tensor(shape: rank2 ? [1, 1] : [1], data: [value], requiresGrad: true)
    t.grad = [grad]
    return Parameter(name, t)
}

@Suite("Optimizers")
struct OptimizerTests {
    @Test func sgdWithMomentum() {
        // lr 0.1, μ 0.9, g = 1 each step: v₁ = 1 → 0.9; v₂ = 1.9 → 0.71.
        let p = parameter(1, grad: 1)
        let sgd = SGD([p], momentum: 0.9)
        sgd.step(learningRate: 0.1)
        #expect(abs(p.tensor.data[0] - 0.9) < 1e-6)
        sgd.step(learningRate: 0.1)
        #expect(abs(p.tensor.data[0] - 0.71) < 1e-6)
    }

    @Test func adamWBiasCorrectionAndDecoupledDecay() {
        // p = 1, g = 0.5, lr 0.1, wd 0.01. Bias-corrected m̂ = 0.5, v̂ = 0.25 → Adam step 0.1.
        // Step 1: 1 − 0.1·0.01·1 − 0.1 = 0.899. Step 2: 0.899 − 0.1·0.01·0.899 − 0.1 = 0.798101.
        let p = parameter(1, grad: 0.5)
        let opt = Adam.adamW([p], weightDecay: 0.01)
        opt.step(learningRate: 0.1)
        #expect(abs(p.tensor.data[0] - 0.899) < 1e-6)
        opt.step(learningRate: 0.1)
        #expect(abs(p.tensor.data[0] - 0.798101) < 1e-6)
    }

    @Test func adamWSkipsDecayOnBiases() {
        let bias = parameter(1, grad: 0.5, rank2: false)
        #expect(!bias.decays)
        Adam.adamW([bias], weightDecay: 0.5).step(learningRate: 0.1)
        #expect(abs(bias.tensor.data[0] - 0.9) < 1e-6)
    }

    @Test func adamL2DecayGoesThroughTheGradient() {
        // g' = 0.5 + 0.01·1 = 0.51; first Adam step is lr·sign(g') = 0.1 → 0.9.
        let p = parameter(1, grad: 0.5)
        Adam([p], weightDecay: 0.01).step(learningRate: 0.1)
        #expect(abs(p.tensor.data[0] - 0.9) < 1e-6)
        // A second step with g = −0.5 (after L2: −0.5 + 0.009 = −0.491): m = 0.9·0.051 + 0.1·(−0.491) = −0.0032,
        // v = 0.999·0.0002601 + 0.001·0.241081 = 0.000500941; m̂ = −0.0032/0.19 = −0.0168421,
        // v̂ = 0.000500941/0.001999 = 0.250596; step = 0.1·m̂/√v̂ = −0.00336439 → 0.903364.
        p.tensor.grad = [-0.5]
        let opt = Adam([p], weightDecay: 0.01)
        try? opt.load(state: ["exp_avg.w": [0.051], "exp_avg_sq.w": [0.0002601], "step.w": [1]])
        opt.step(learningRate: 0.1)
        #expect(abs(p.tensor.data[0] - 0.903364) < 2e-6)
    }

    @Test func clippingScalesToTheMaximumNorm() {
        let a = Tensor(shape: [2], data: [0, 0], requiresGrad: true)
        a.grad = [3, 4]
        let norm = clipGradientNorm([Parameter("a", a)], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(a.grad![0] - 0.6) < 1e-6 && abs(a.grad![1] - 0.8) < 1e-6)
        a.grad = [0.3, 0.4]
        clipGradientNorm([Parameter("a", a)], maxNorm: 1)
        #expect(a.grad == [0.3, 0.4])
    }

    @Test func schedules() {
        let linear = LearningRateSchedule.linear(warmup: 2, total: 10)
        #expect(linear.factor(at: 0) == 0.5 && linear.factor(at: 1) == 1)
        #expect(linear.factor(at: 6) == 0.5 && linear.factor(at: 10) == 0)
        let cosine = LearningRateSchedule.cosine(warmup: 0, total: 10, minFactor: 0.1)
        #expect(abs(cosine.factor(at: 0) - 1) < 1e-6 && abs(cosine.factor(at: 5) - 0.55) < 1e-6 && abs(cosine.factor(at: 10) - 0.1) < 1e-6)
    }

    @Test func frozenParametersDoNotMove() {
        let w = Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true)
        let b = Tensor(shape: [2], data: [1, 1], requiresGrad: true)
        let params = [Parameter("w", w), Parameter("b", b)]
        params.setTrainable(false) { $0 == "w" }
        let x = Tensor(shape: [1, 2], data: [1, 1])
        sum(linear(x, weight: w, bias: b)).backward()
        #expect(w.grad == nil && b.grad == [1, 1])
        Adam(params).step(learningRate: 0.1)
        #expect(w.data == [1, 2, 3, 4] && b.data != [1, 1])
    }

    @Test func savedStateContinuesExactly() throws {
        func run(steps: Int, resumeAfter: Int?) throws -> [Float] {
            let w = Tensor(shape: [3, 1], data: [1, -2, 0.5], requiresGrad: true)
            var opt = Adam.adamW([Parameter("w", w)])
            for step in 0..<steps {
                if step == resumeAfter {
                    let saved = opt.state()
                    opt = Adam.adamW([Parameter("w", w)])
                    try opt.load(state: saved)
                }
                w.grad = w.data.map { $0 * $0 - 1 }
                opt.step(learningRate: 0.05)
            }
            return w.data
        }
        #expect(try run(steps: 6, resumeAfter: nil) == run(steps: 6, resumeAfter: 3))
    }
}
