// WHPSupport.swift — what the `whp` commands share: their progress line.
import Foundation
import GPT2
import Procedures

enum WHPSupport {
    static func reporter(_ context: CommandContext) -> (WHPEvent) -> Void {
        { event in
            switch event {
            case let .step(phase, step, total, loss): context.progress(String(format: "%@ step %d/%d  loss %.4f", phase, step, total, loss))
            case let .labelled(block, total): context.progress("labelled block \(block)/\(total)")
            }
        }
    }
}
