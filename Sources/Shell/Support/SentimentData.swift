// SentimentData.swift — where the shipped data lives, and the dataset flags shared by the
// sentiment commands (`zeroshot sentiment`, `probe`, `finetune`).
import Foundation
import GPT2
import Procedures

enum SentimentData {
    static let defaultTrain = DataLayout.shortTrainReviews
    static let defaultTest = DataLayout.shortTestReviews

    static func flags(train: Bool) -> [FlagInfo] {
        (train ? [FlagInfo("train", value: "PATH", "training set, label<TAB>text .tsv or .jsonl (default \(defaultTrain))"),
                  FlagInfo("train-limit", value: "N", "use the first N training examples")] : [])
        + [FlagInfo("test", value: "PATH", "test set (default \(defaultTest))"),
           FlagInfo("test-limit", value: "N", "use the first N test examples"),
           FlagInfo("max-tokens", value: "N", "truncate each review to N tokens (default: the model's context)")]
    }

    static func load(_ arguments: Arguments, _ context: CommandContext, which: String, defaultPath: String,
                     model: GPT2Model) throws -> SentimentDataset {
        let path = DataPaths.resolve(arguments.string(which) ?? defaultPath)
        let limit = arguments.string("\(which)-limit") == nil ? nil : try arguments.int("\(which)-limit", default: 0)
        if let limit, limit < 1 { throw UsageError("\(arguments.command): --\(which)-limit must be at least 1") }
        let maxTokens = try arguments.int("max-tokens", default: model.config.contextLength)
        guard maxTokens >= 1 && maxTokens <= model.config.contextLength else {
            throw UsageError("\(arguments.command): --max-tokens must be in 1…\(model.config.contextLength) (the model's context)")
        }
        var texts = try SentimentDataset.read(path)
        if let limit { texts = Array(texts.prefix(limit)) }
        let name = URL(fileURLWithPath: path).lastPathComponent
        return try SentimentDataset(name: name, texts: texts, tokenizer: try context.session.tokenizer(), maxTokens: maxTokens)
    }
}
