// NewModelCommand.swift — `new model NAME`: a randomly initialised model of the current model's shape
// (the "trained from scratch" and "random features" baselines).
import Autograd
import GPT2
import Procedures

enum NewModelCommand: Command {
    static let info = CommandInfo(name: "new model", abstract: "A randomly initialised GPT-2 with the current model's shape (Hugging Face's initialisation).",
                                  arguments: "NAME", flags: [FlagInfo("seed", value: "S", "initialisation seed (default 0)")],
                                  examples: ["new model random", "new model random --seed 3"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        let name = try arguments.positional(0, "a name for the new model")
        let shape = try context.session.model().config
        var rng = RNG(seed: try arguments.seed(default: 0))
        let model = try GPT2Model(config: shape, rng: &rng)
        context.session.add(model, name: name)
        context.print("\(name): a new random model of \(shape.layerCount) layers × \(shape.embeddingSize) (now current)")
    }
}
