// ProcedureVerbCommand.swift — the command of a procedure's own verb (`whp anchors`), generated from
// its declaration (`ProcedureVerb`), and what the shell lends a verb: its arguments and this context.
import Foundation
import GPT2
import Procedures

enum ProcedureVerbCommand<V: ProcedureVerb>: Command {
    static var info: CommandInfo {
        CommandInfo(name: "\(V.Owner.name) \(V.verb)", abstract: V.abstract, arguments: V.arguments,
                    flags: V.flags,
                    examples: V.examples, discussion: V.discussion)
    }

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        try V.run(arguments, context)
    }
}

extension Arguments: VerbArguments {}

extension CommandContext: VerbContext {
    public func run<P: Procedure>(_ kind: P.Type) throws -> P { try ProcedureRuns.current(kind, self) }
    public func runInProgress<P: Procedure>(_ kind: P.Type) -> (modelName: String, procedure: P)? { session.run(kind) }
    public func closeRun<P: Procedure>(_ kind: P.Type) { session.setRun(kind, nil) }
    public func settings<P: Procedure>(for kind: P.Type) -> P.Settings { session.settings(for: kind) }
    public func model() throws -> GPT2Model { try session.model() }
    public var currentModelName: String? { session.currentName }
    public func model(named name: String, for command: String) throws -> GPT2Model { try session.model(named: name, for: command) }
    public func add(_ model: GPT2Model, name: String) { session.add(model, name: name) }
    public func use(_ name: String) throws { try session.use(name) }
    public func tokenizer() throws -> BPETokenizer { try session.tokenizer() }
    public func writablePath(_ path: String, for command: String) throws -> String { try session.writablePath(path, for: command) }

    public func figureDestination(_ a: VerbArguments) throws -> FigureDestination? {
        try Plot.destination(a, self).map { FigureDestination(path: $0.path, shown: $0.shown) }
    }

    public func write(_ figure: ProcedureFigure, to destination: FigureDestination?, what: String) throws {
        guard let destination else { return }
        try writeFigure(figure.svg, to: destination.path, shown: destination.shown, what: what)
    }
}
