// ELMTests.swift — the erase target on hand-made log-probabilities: the η ramp, top-k truncation
// and the novice-minus-expert direction.
import Autograd
import Foundation
import Procedures
import Testing

@Suite("ELM")
struct ELMTests {
    @Test func targetFollowsTheFormula() {
        // Two positions, five tokens. Novice − expert favours token 3 at both positions.
        let plain: [Double] = [-1, -2, -3, -4, -5, -1, -2, -3, -4, -5]
        let novice: [Double] = [-2, -2, -2, -1, -2, -2, -2, -2, -1, -2]
        let expert: [Double] = [-1, -2, -2, -3, -2, -1, -2, -2, -3, -2]
        var settings = ELMTargetSettings()
        settings.eta = 3
        settings.topK = 2
        settings.ramp = true   // η = 1 at the first position, 3 at the last
        let t = ELMTarget.combine(plain: plain, novice: novice, expert: expert, rows: 2, vocab: 5, settings: settings)
        // Position 0, η = 1: edit = [-2, -2, -3, -2, -5]: a three-way tie at -2 is kept whole (ties keep more than k).
        #expect(t[0..<5].map { Double($0) }.enumerated().allSatisfy { i, p in abs(p - ([0, 1, 3].contains(i) ? 1.0 / 3 : 0)) < 1e-6 })
        // Position 1, η = 3: edit = [-4, -2, -3, 2, -5]: top-2 keeps tokens 3 and 1.
        let e3 = exp(2.0), e1 = exp(-2.0)
        #expect(abs(Double(t[8]) - e3 / (e3 + e1)) < 1e-6 && abs(Double(t[6]) - e1 / (e3 + e1)) < 1e-6)
        #expect(t[5] == 0 && t[7] == 0 && t[9] == 0)
        settings.ramp = false  // constant η = 3 everywhere: position 0 becomes [-4, -2, -3, 2, -5] too
        let c = ELMTarget.combine(plain: plain, novice: novice, expert: expert, rows: 2, vocab: 5, settings: settings)
        #expect(abs(Double(c[3]) - e3 / (e3 + e1)) < 1e-6)
    }

    /// The one Double log-softmax (ELM's target, guided sampling, the prefix check, the probes) against
    /// the formula computed directly, and Autograd's row form against its graph op, bit for bit.
    @Test func logProbabilitiesFollowTheFormula() {
        let logits: [Float] = [2.5, -1, 0.25, 3, 7, -4, 0, 1.5]   // 2 rows × 4
        let rows = LogProbabilities.rows(logits[...], rows: 2, vocab: 4, temperature: 2)
        for r in 0..<2 {
            let scaled = logits[(r * 4)..<(r * 4 + 4)].map { Double($0) / 2 }
            let logSum = log(scaled.map(exp).reduce(0, +))
            for v in 0..<4 { #expect(abs(rows[r * 4 + v] - (scaled[v] - logSum)) < 1e-12) }
        }
        #expect(LogProbabilities.of(2, in: logits[4..<8], temperature: 2) == rows[6])
        // The row form in Float, against the loop the forget report had before it (max, Σ exp, log), bit for bit.
        var out = [Float](repeating: 0, count: 8)
        logits.withUnsafeBufferPointer { z in out.withUnsafeMutableBufferPointer { o in
            for r in 0..<2 { logSoftmaxRow(z.baseAddress! + r * 4, 4, into: o.baseAddress! + r * 4) }
        } }
        var loop = [Float](repeating: 0, count: 8)
        for r in 0..<2 {
            let row = Array(logits[(r * 4)..<(r * 4 + 4)])
            var maximum = -Float.infinity
            for v in row { maximum = max(maximum, v) }
            var sum: Float = 0
            for v in row { sum += exp(v - maximum) }
            for v in 0..<4 { loop[r * 4 + v] = row[v] - (maximum + log(sum)) }
        }
        #expect(out == loop && out == logSoftmax(Tensor(shape: [2, 4], data: logits)).data)
    }

    @Test func passagesAreCutAtLineBreaks() {
        let text = (0..<40).map { "Line number \($0) of the story." }.joined(separator: "\n")
        let passages = ELMProcedure.passages(from: text, characters: 200)
        #expect(passages.count > 3 && passages.allSatisfy { $0.count <= 200 && $0.count >= 50 && $0.hasPrefix("Line") })
    }
}
