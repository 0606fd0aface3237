// ELMRunCommand.swift — `elm step` and `elm run N`: iterations with each term logged.
import Foundation
import Procedures

enum ELMStepCommand: Command {
    static let info = CommandInfo(name: "elm step", abstract: "One ELM iteration (erase, retain and fluency terms on one passage each).",
                                  examples: ["elm step"])

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        let procedure = try ProcedureRuns.current(ELMProcedure.self, context)
        if procedure.fluency.isEmpty && procedure.settings.fluencyScale > 0 { try procedure.prepare() }
        let losses = try procedure.step()
        context.print(losses.line(iteration: procedure.iteration))
        context.set("iteration", .int(procedure.iteration))
        context.set("erase", .number(losses.erase)); context.set("retain", .number(losses.retain)); context.set("fluency", .number(losses.fluency))
    }
}

enum ELMRunCommand: Command {
    static let info = CommandInfo(name: "elm run", abstract: "Run N ELM iterations (progress; Ctrl-C stops between iterations; `elm run` continues).",
                                  arguments: "N", flags: [FlagInfo("every", value: "K", "print the mean losses every K iterations (default 10)"),
                                                          FlagInfo("out", value: "PATH", "checkpoint (`elm save`) written every --save-every iterations, on Ctrl-C and at the end"),
                                                          FlagInfo("save-every", value: "K", "checkpoint interval with --out (default 100)"),
                                                          Plot.flag("the three terms' losses over every iteration so far")],
                                  examples: ["elm run 200 --every 20", "elm run 4000 --every 100 --out runs/elm.h5"],
                                  discussion: "A long run spans sittings: `elm resume PATH` then `elm run` continues it bit-exactly.")

    static func run(_ a: Arguments, _ context: CommandContext) throws {
        guard let count = Int(try a.positional(0, "a number of iterations")), count >= 1 else { throw UsageError("elm run: expected a positive number of iterations") }
        let every = max(1, try a.int("every", default: 10))
        let plot = try Plot.destination(a, context)
        let saveEvery = max(1, try a.int("save-every", default: 100))
        let out = try a.string("out").map { try context.session.writablePath($0, for: "elm run --out") }
        let procedure = try ProcedureRuns.current(ELMProcedure.self, context)
        if procedure.fluency.isEmpty && procedure.settings.fluencyScale > 0 {
            try procedure.prepare(report: { done, total in context.progress("fluency data \(done)/\(total)") })
        }
        func save() throws {
            guard let out else { return }
            try ELMSaveCommand.save(procedure, to: out)
            context.note("checkpoint at iteration \(procedure.iteration): \(out)")
        }
        let started = Date()
        var window: [ELMTermLosses] = []
        for done in 1...count {
            if Interrupt.isRequested {
                context.endProgress()
                if done > 1 { context.replayAs = a.commandLine(replacingFirstPositionalWith: "\(done - 1)") }
                try save()
                try Plot.write(figure(procedure), to: plot, what: "loss curves", context)
                throw Interrupted("elm run: stopped after iteration \(procedure.iteration); `elm run` continues")
            }
            window.append(try procedure.step())
            let rate = Date().timeIntervalSince(started) / Double(done)
            context.progress(String(format: "iteration %d (%d/%d)  %.2f s/it  ETA %.1f min", procedure.iteration, done, count, rate, rate * Double(count - done) / 60))
            if done % every == 0 || done == count {
                let n = Double(window.count)
                let mean = ELMTermLosses(erase: window.map(\.erase).reduce(0, +) / n, retain: window.map(\.retain).reduce(0, +) / n,
                                         fluency: window.map(\.fluency).reduce(0, +) / n)
                context.endProgress()
                context.print(mean.line(iteration: procedure.iteration) + " (mean of \(window.count))")
                window = []
            }
            if done % saveEvery == 0 && done < count { try save() }
        }
        try save()
        context.note(String(format: "%d iterations in %.1f s", count, Date().timeIntervalSince(started)))
        context.set("iteration", .int(procedure.iteration))
        try Plot.write(figure(procedure), to: plot, what: "loss curves", context)
    }

    /// The three terms' losses over every iteration so far.
    static func figure(_ procedure: ELMProcedure) -> String {
        let log = procedure.log.enumerated()
        func series(_ label: String, _ value: (ELMTermLosses) -> Double) -> CurveSeries {
            CurveSeries(label: label, points: log.map { (Double($0.offset + 1), value($0.element)) })
        }
        return CurveChart.svg([series("erase", \.erase), series("retain", \.retain), series("fluency", \.fluency)],
                              title: "ELM: the three terms per iteration", xLabel: "iteration", yLabel: "loss (nats)")
    }
}
