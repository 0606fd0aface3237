// WHPSupport.swift — what the `whp` commands share: their progress line.
import Foundation
import GPT2
import Procedures

enum WHPSupport {
    static func reporter(_ context: CommandContext) -> (WHPEvent) -> Void {
        { event in
            switch event {
            case let .step(phase, step, total, loss): context.progress(phase, done: step, of: total, detail: String(format: "loss %.4f", loss))
            case let .labelled(block, total): context.progress("labelling blocks", done: block, of: total)
            }
        }
    }
}
