// WindowLossProgress.swift — per-window losses of a model, with a progress line while they are computed:
// what `perplexity --interval` and `finetune --cost` pair across models.
import GPT2
import Procedures

extension CommandContext {
    /// The mean next-token loss of `model` in each of `windows` (token ids), scored 8 windows at a time.
    func windowLosses(of model: GPT2Model, on windows: [[Int32]], what: String) throws -> [Double] {
        defer { endProgress() }
        return try Procedures.windowLosses(model: model, windows: windows, batchSize: 8, progress: { progress("perplexity of \(what)", done: $0, of: $1) })
    }
}
