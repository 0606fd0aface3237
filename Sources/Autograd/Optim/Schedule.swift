// Schedule.swift — learning-rate schedules as multipliers of a base rate (Hugging Face's shapes).
import Foundation

public enum LearningRateSchedule: Equatable, Sendable {
    case constant
    /// Linear warm-up from 0 over `warmup` steps, then constant.
    case warmupConstant(warmup: Int)
    /// Linear warm-up, then linear decay to 0 at `total` (HF `get_linear_schedule_with_warmup`).
    case linear(warmup: Int, total: Int)
    /// Linear warm-up, then half-cosine decay to `minFactor` at `total`.
    case cosine(warmup: Int, total: Int, minFactor: Float)

    /// The multiplier for update number `step` (0-based, the step about to be taken).
    public func factor(at step: Int) -> Float {
        switch self {
        case .constant:
            return 1
        case .warmupConstant(let warmup):
            return step < warmup ? Float(step + 1) / Float(warmup) : 1
        case .linear(let warmup, let total):
            if step < warmup { return Float(step + 1) / Float(max(1, warmup)) }
            return max(0, Float(total - step) / Float(max(1, total - warmup)))
        case .cosine(let warmup, let total, let minFactor):
            if step < warmup { return Float(step + 1) / Float(max(1, warmup)) }
            let progress = min(1, Float(step - warmup) / Float(max(1, total - warmup)))
            return minFactor + (1 - minFactor) * 0.5 * (1 + cosf(.pi * progress))
        }
    }
}
