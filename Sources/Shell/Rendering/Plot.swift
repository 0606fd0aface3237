// Plot.swift — the `--plot FILE.svg` flag every command with a curve or a map declares, and where
// its figure goes: the path is checked before any work, so a long run never ends in a refused write.

import Procedures

enum Plot {
    static func flag(_ what: String) -> FlagInfo { FlagInfo.plot(what) }

    /// Where `--plot` writes (checked now), or nil without the flag.
    static func destination(_ arguments: VerbArguments, _ context: CommandContext) throws -> (path: String, shown: String)? {
        guard let shown = arguments.string("plot") else { return nil }
        return (try context.session.writablePath(shown, for: "\(arguments.command) --plot"), shown)
    }

    /// Writes `svg` to a checked destination, if there is one.
    static func write(_ svg: @autoclosure () -> String, to destination: (path: String, shown: String)?, what: String, _ context: CommandContext) throws {
        guard let destination else { return }
        try context.writeFigure(svg(), to: destination.path, shown: destination.shown, what: what)
    }
}
