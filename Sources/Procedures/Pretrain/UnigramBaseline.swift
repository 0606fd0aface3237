// UnigramBaseline.swift — the simplest language model: token frequencies of the training split
// (add-one smoothed over the vocabulary). The floor any pretrained model must beat.
import Foundation

public struct UnigramModel: Sendable {
    private let logProbabilities: [Double]

    /// Counts every token of `trainingStreams`; `vocabularySize` sets the smoothing support.
    public init(trainingStreams: [[Int32]], vocabularySize: Int) {
        var counts = [Double](repeating: 1, count: vocabularySize)   // add-one
        for stream in trainingStreams { for t in stream where t >= 0 && Int(t) < vocabularySize { counts[Int(t)] += 1 } }
        let total = counts.reduce(0, +)
        logProbabilities = counts.map { log($0 / total) }
    }

    /// Mean negative log-likelihood (nats per token) of the tokens that a next-token model would
    /// predict in `windows` (every token but each window's first), as `meanLoss` scores them.
    public func meanLoss(windows: [[Int32]]) -> Double {
        var total = 0.0, count = 0
        for w in windows where w.count >= 2 {
            for t in w.dropFirst() { total -= logProbabilities[Int(t)]; count += 1 }
        }
        return count == 0 ? .nan : total / Double(count)
    }
}
