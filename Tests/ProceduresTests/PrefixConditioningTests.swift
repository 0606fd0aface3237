// PrefixConditioningTests.swift — `elm check`'s measures against PyTorch and Hugging Face
// (tools/make_prefix_conditioning_fixture.py → Fixtures/prefix_conditioning_cases.json).
import Foundation
import GPT2
import Procedures
import Testing

private struct Cases: Decodable {
    struct Prefix: Decodable { let expert: [Int32], novice: [Int32] }
    struct Probe: Decodable { let prompt: [Int32], answers: [[Int32]] }
    let passages: [[Int32]]
    let prefixes: [Prefix]
    let probes: [Probe]
    let etas: [Double]
    let temperature: Double
    let top_k: Int
    let kl_per_passage: [Double]
    let agreement_per_passage: [[Double]]
    let log_ratio_per_probe: [Double]
}

@Suite("Prefix conditioning (elm check) against PyTorch")
struct PrefixConditioningTests {
    @Test func measuresMatchTheReference() throws {
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("prefix_conditioning_cases.json"))))
        let model = try GPT2Model.load(from: Fixtures.classifierModel)
        var target = ELMTargetSettings()
        target.temperature = cases.temperature
        target.topK = cases.top_k
        let report = try PrefixConditioning.measure(model: model, passages: cases.passages, probes: cases.probes.map { ($0.prompt, $0.answers) },
                                                    prefixes: cases.prefixes.map { ($0.expert, $0.novice) }, target: target, etas: cases.etas)
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
        let kl = mean(cases.kl_per_passage)
        #expect(kl > 1e-3, "the reference KL should not be trivially zero")
        #expect(abs(report.klPerToken.value - kl) < 1e-4 * kl)
        #expect(report.klPerToken.lower <= kl && kl <= report.klPerToken.upper)
        #expect(report.agreement.map(\.eta) == cases.etas)
        for (measured, reference) in zip(report.agreement, cases.agreement_per_passage) {
            #expect(abs(measured.estimate.value - mean(reference)) < 1e-9, "agreement at η \(measured.eta)")
        }
        #expect(abs(log(report.answerRatio.value) - mean(cases.log_ratio_per_probe)) < 1e-4)
        #expect(report.passages == cases.passages.count && report.probes == cases.probes.count && report.pairs == cases.prefixes.count)
    }
}
