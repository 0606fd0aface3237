// LineReader.swift — the one Swift file that imports libedit: prompt, emacs keys, history kept across
// runs, tab completion of commands, subcommands, flags, their values (models, hooks, choices),
// snapshots and file paths.
import CEditLine
import GPT2
import Procedures
import Foundation

final class LineReader {
    private let historyPath: String

    init(historyPath: String) {
        self.historyPath = historyPath
        using_history()
        stifle_history(2000)
        _ = read_history(historyPath)
        shim_install_completion { line, text, state in
            guard let line, let text else { return nil }
            if state == 0 { Completion.candidates = Completion.candidates(line: String(cString: line), word: String(cString: text)) }
            guard Int(state) < Completion.candidates.count else { return nil }
            return shim_strdup(Completion.candidates[Int(state)])
        }
    }

    enum Input { case line(String), interrupted, endOfInput }

    /// The next line; `.interrupted` when Ctrl-C abandoned the line being typed (libedit returns no
    /// line then, as it does at end of input, so the interrupt flag tells the two apart).
    func readLine(prompt: String) -> Input {
        Interrupt.reset()
        guard let raw = readline(prompt) else {
            if Interrupt.isRequested {
                Interrupt.reset()
                Swift.print("^C")
                return .interrupted
            }
            return .endOfInput
        }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            add_history(line)
            _ = write_history(historyPath)   // every line: history survives a crash too
        }
        if Interrupt.isRequested {   // Ctrl-C arrived while typing, but libedit still returned the line
            Interrupt.reset()
            Swift.print("^C")
            return .interrupted
        }
        return .line(line)
    }
}

/// What the session can name right now, asked at each Tab: models (loaded, and those under
/// `models/`), snapshots, and the current model's block count for hook names.
struct CompletionSource {
    var models: () -> [String] = { [] }
    var snapshots: () -> [String] = { [] }
    var layers: () -> Int? = { nil }
}

/// Completion candidates from the command registry's metadata, the session and the file system.
enum Completion {
    nonisolated(unsafe) static var candidates: [String] = []
    nonisolated(unsafe) static var source = CompletionSource()

    static let metaCommands = MetaCommand.all.map(\.name)
    /// Commands whose positional arguments name models or snapshots.
    static let modelArguments: Set<String> = ["use", "diff"], snapshotArguments: Set<String> = ["restore"]
    /// Flags whose values name loaded models (LIST ones comma-separated).
    static let modelFlags: Set<String> = ["models", "pool", "reference"]

    static func candidates(line: String, word: String) -> [String] {
        let before = line.hasSuffix(word) ? String(line.dropLast(word.count)) : line
        let typed = before.split(separator: " ").map(String.init)
        if typed.isEmpty || typed.first == "help" {   // a command's words, also after `help` (`help sophon s` → status, step)
            let path = Array(typed.dropFirst(typed.isEmpty ? 0 : 1))
            guard !path.isEmpty else {
                let firsts = Set(CommandRegistry.all.compactMap { $0.info.words.first }).sorted() + metaCommands
                return firsts.filter { $0.hasPrefix(word) }
            }
            let longer = CommandRegistry.all.map { $0.info.words }.filter { $0.count > path.count && Array($0.prefix(path.count)) == path }
            return Set(longer.map { $0[path.count] }).sorted().filter { $0.hasPrefix(word) }
        }
        if let values = flagValues(typed: typed, word: word) { return values }
        if !word.hasPrefix("-"), let found = CommandRegistry.find(typed), typed.count >= found.wordCount {
            let name = found.command.info.name
            if modelArguments.contains(name) { return source.models().filter { $0.hasPrefix(word) } }
            if snapshotArguments.contains(name) { return source.snapshots().filter { $0.hasPrefix(word) } }
        }
        // A second word of a multi-word command (`load model`).
        let subcommands = CommandRegistry.all.map { $0.info.words }.filter { $0.count > typed.count && Array($0.prefix(typed.count)) == typed }
        if !subcommands.isEmpty && !word.hasPrefix("-") {
            return Array(Set(subcommands.map { $0[typed.count] })).sorted().filter { $0.hasPrefix(word) }
        }
        if word.hasPrefix("-"), let found = CommandRegistry.find(typed) {
            return found.command.info.allFlags.map { "--" + $0.name }.filter { $0.hasPrefix(word) }
        }
        return paths(matching: word)
    }

    /// The values a flag takes, when the word being typed is one: model names (the last of a
    /// comma-separated list), hook names for the current model's blocks, or a flag's listed choices
    /// (`sgd|adam|adamw`). Nil when the previous word is not such a flag.
    static func flagValues(typed: [String], word: String) -> [String]? {
        guard let last = typed.last, last.hasPrefix("--"), let found = CommandRegistry.find(typed) else { return nil }
        guard let flag = found.command.info.allFlags.first(where: { "--" + $0.name == last }), let value = flag.value else { return nil }
        if modelFlags.contains(flag.name) || value == "MODEL" {
            let done = word.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
            let head = done.isEmpty ? "" : done + ","
            let partial = String(word.dropFirst(head.count))
            let chosen = Set(done.split(separator: ",").map(String.init))
            return source.models().filter { $0.hasPrefix(partial) && !chosen.contains($0) }.map { head + $0 }
        }
        if flag.name == "hook" {
            return HookPoint.all(layers: source.layers() ?? 0).map(\.description).filter { $0.hasPrefix(word) }
        }
        if value.contains("|"), !value.contains(" ") {
            return value.split(separator: "|").map(String.init).filter { $0 == $0.lowercased() && $0.hasPrefix(word) }
        }
        return nil
    }

    static func paths(matching word: String) -> [String] {
        let (folder, prefix) = split((word as NSString).expandingTildeInPath)
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let shownFolder = split(word).folder
        return listing.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") || (prefix.hasPrefix(".") && $0.hasPrefix(prefix)) }.sorted().map { name in
            var isDir: ObjCBool = false
            let full = (folder.isEmpty ? "" : folder + "/") + name
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)   // fills isDir
            let shown = shownFolder.isEmpty ? name : (shownFolder.hasSuffix("/") ? shownFolder + name : shownFolder + "/" + name)
            return shown + (isDir.boolValue ? "/" : "")
        }
    }

    /// A typed path's folder and last component: "a/b" → ("a", "b"), "b" → ("", "b"), "a/" → ("a", ""),
    /// "/b" → ("/", "b"). Not NSString's path methods: swift-corelibs-foundation traps on a
    /// one-character last component ("s", "s/"), which made Tab after a single letter crash the shell.
    static func split(_ path: String) -> (folder: String, last: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (slash == path.startIndex ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}
