// TokenizeCommand.swift — `tokenize TEXT`: GPT-2 token ids and the pieces they stand for.

enum TokenizeCommand: Command {
    static let info = CommandInfo(name: "tokenize", abstract: "Show the GPT-2 tokens of a text.", arguments: "TEXT",
                                  examples: [#"tokenize "Sherlock Holmes's pipe""#])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let text = try arguments.text("a text")
        let tokenizer = try context.session.tokenizer()
        let ids = tokenizer.encode(text)
        context.print("\(ids.count) tokens: " + ids.map(String.init).joined(separator: " "))
        context.print(ids.map { "[" + visible(tokenizer.tokenText($0)) + "]" }.joined())
        context.set("ids", .ints(ids))
    }
}

/// Shows whitespace in token pieces: space as ·, newline as ↵, tab as →.
func visible(_ s: String) -> String {
    s.replacingOccurrences(of: " ", with: "·").replacingOccurrences(of: "\n", with: "↵").replacingOccurrences(of: "\t", with: "→")
}

/// Left-aligns `s` in `width` characters (String(format:) cannot pad Swift strings portably).
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}
