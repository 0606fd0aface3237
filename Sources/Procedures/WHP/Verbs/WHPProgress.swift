// WHPProgress.swift — what the `whp` verbs share: their progress bar.
import Foundation
import GPT2

enum WHPProgress {
    static func reporter(_ context: VerbContext) -> (WHPEvent) -> Void {
        { event in
            switch event {
            case let .step(phase, step, total, loss): context.progress(phase, done: step, of: total, detail: String(format: "loss %.4f", loss))
            case let .labelled(block, total): context.progress("labelling blocks", done: block, of: total, detail: "")
            }
        }
    }
}
