// WHPFlags.swift — `whp config`'s flags, declared once: the shell generates the command from them,
// and `WHPProcedure.update` owns the rules (fixed dictionary and block length, stale labels).

extension WHPSettings {
    public static var flags: [SettingFlag<WHPSettings>] {
        [.number("alpha", \.labels.alpha, value: "A", help: "v_generic = v_base − A·ReLU(v_reinforced − v_base) (default 5)"),
         .choice("labels", \.labels.soft, [("soft", true), ("hard", false)],
                 help: "final fine-tune toward softmax(v_generic) (soft, default) or its argmax (hard, the paper's)"),
         .number("penalty", \.labels.repeatPenalty, value: "P", help: "logits subtracted from translations of anchors seen earlier in a block (default 20)"),
         .number("block-length", \.blockLength, value: "T", help: "tokens per block (default 128)"),
         .number("blocks", \.blocks, value: "N", help: "target blocks to label (default 200)"),
         .number("reinforce-steps", \.reinforceSteps, value: "N", help: "reinforcement fine-tune steps (default 150)"),
         .number("reinforce-lr", \.reinforceLearningRate, value: "LR", help: "its learning rate (default 3e-4)"),
         .number("finetune-steps", \.finetuneSteps, value: "N", help: "final fine-tune steps (default 150)"),
         .number("finetune-lr", \.finetuneLearningRate, value: "LR", help: "its learning rate (default 1e-4)"),
         .number("batch", \.batchSize, value: "B", help: "blocks per step in both fine-tunes (default 8)"),
         .text("dictionary", \.dictionary, value: "PATH", help: "anchored terms (default \(defaultDictionary))", fixedOnceStarted: true),
         .number("seed", \.seed, value: "S", help: "seed of both fine-tunes' batches (default 7)", fixedOnceStarted: true)]
    }
}

extension WHPProcedure: Procedure {
    public static let name = "whp"
    public static var verbs: [any ProcedureVerb.Type] {
        [WHPAnchorsVerb.self, WHPTranslateVerb.self, WHPReinforceVerb.self, WHPLabelsVerb.self, WHPFinetuneVerb.self, WHPDictionaryVerb.self]
    }
    public static let title = "WHP"
    public static let configHelp = ProcedureHelp(
        abstract: "Show or change WHP's settings (alpha, block length, both fine-tunes).",
        examples: ["whp config", "whp config --alpha 2 --finetune-steps 300"],
        discussion: "Soft labels (the default; a deviation from the paper) train toward the whole generic distribution: on a small model the argmax labels differ from the text at most positions and collapse the model into repetition. Changing alpha or the penalty discards labels already built; the block length and the dictionary are fixed once WHP has started; the learning rates of the paper (3e-6, 1e-6) change nothing on a small model.")

    public static func describe(_ s: WHPSettings) -> [String] {
        [String(format: "alpha %g, %@ labels, repeat penalty %g, blocks of %d tokens (%d labelled)", s.labels.alpha,
                s.labels.soft ? "soft" : "hard", s.labels.repeatPenalty, s.blockLength, s.blocks),
         String(format: "reinforce: %d steps at lr %g; final fine-tune: %d steps at lr %g; batch %d", s.reinforceSteps,
                s.reinforceLearningRate, s.finetuneSteps, s.finetuneLearningRate, s.batchSize)]
    }

    public func apply(_ settings: WHPSettings) throws -> [String] {
        try update(settings) ? ["labels discarded (alpha or penalty changed); `whp labels` builds them again"] : []
    }

    public var position: String { "after \(reinforceStep) reinforcement steps, \(labelled.count) labelled blocks and \(finetuneStep) fine-tuning steps" }
}

extension WHPSettings: ProcedureSettings {}
