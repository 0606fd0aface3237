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
         .text("dictionary", \.dictionary, value: "PATH", help: "anchored terms (default \(defaultDictionary))", fixedOnceStarted: true)]
    }
}
