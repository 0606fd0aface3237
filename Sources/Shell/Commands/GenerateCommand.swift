// GenerateCommand.swift — `generate PROMPT`: sampling with a KV cache, tokens printed as produced.
import Autograd
import GPT2
import Procedures

enum GenerateCommand: Command {
    static let info = CommandInfo(
        name: "generate", abstract: "Continue a prompt (greedy at temperature 0; top-k / top-p sampling otherwise).",
        arguments: "PROMPT",
        flags: [FlagInfo("max-tokens", value: "N", "new tokens at most (default 40)"),
                FlagInfo("temperature", value: "T", "0 = greedy (default 0)"),
                FlagInfo("top-k", value: "K", "sample among the K likeliest (0 = all)"),
                FlagInfo("top-p", value: "P", "nucleus sampling mass (default 1)"),
                FlagInfo("seed", value: "S", "seed for this generation (default: the session's stream)")],
        examples: [#"generate "Sherlock Holmes" --max-tokens 30"#, #"generate "The film was" --temperature 0.8 --top-k 40 --seed 1"#])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let prompt = try arguments.text("a prompt")
        let options = SamplingOptions(maxNewTokens: try arguments.int("max-tokens", default: 40),
                                      temperature: try arguments.float("temperature", default: 0),
                                      topK: try arguments.int("top-k", default: 0),
                                      topP: try arguments.float("top-p", default: 1))
        let model = try context.session.model()
        let tokenizer = try context.session.tokenizer()
        let promptIDs = tokenizer.encode(prompt)
        var rng = context.session.rng
        if let seedText = arguments.string("seed") {
            guard let seed = UInt64(seedText) else { throw UsageError("generate: --seed expects a non-negative whole number, got '\(seedText)'") }
            rng = RNG(seed: seed)
        }
        context.stream(prompt)
        var pending: [Int32] = []   // tokens not yet printed because they end inside a UTF-8 character
        let ids = try model.generate(prompt: promptIDs, options: options, rng: &rng) { token in
            pending.append(token)
            let piece = tokenizer.decode(pending)
            if !piece.hasSuffix("\u{FFFD}") { context.stream(piece); pending = [] }
            return !Interrupt.isRequested
        }
        if !pending.isEmpty { context.stream(tokenizer.decode(pending)) }
        if arguments.string("seed") == nil { context.session.rng = rng }
        context.set("text", .string(tokenizer.decode(ids)))
        context.set("ids", .ints(ids))
    }
}
