// LoadTokenizerCommand.swift — `load tokenizer DIR`: a GPT-2 BPE from encoder.json + vocab.bpe.
import Procedures
import Foundation
import GPT2

enum LoadTokenizerCommand: Command {
    static let info = CommandInfo(
        name: "load tokenizer", abstract: "Load a GPT-2 BPE tokenizer (encoder.json + vocab.bpe, or vocab.json + merges.txt).",
        arguments: "DIR", examples: ["load tokenizer ~/gpt2"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let dir = (try arguments.positional(0, "a folder with the tokenizer files") as NSString).expandingTildeInPath
        let tokenizer = try BPETokenizer(directory: dir)
        context.session.setTokenizer(tokenizer)
        context.print("loaded tokenizer: \(tokenizer.vocabularySize) tokens")
        context.set("vocabulary", .int(tokenizer.vocabularySize))
    }
}
