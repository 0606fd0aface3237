// LineReader.swift — the one Swift file that imports libedit: prompt, emacs keys, history kept across
// runs, tab completion of commands, subcommands, flags and file paths.
import CEditLine
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

/// Completion candidates from the command registry's metadata and the file system.
enum Completion {
    nonisolated(unsafe) static var candidates: [String] = []

    static let metaCommands = MetaCommand.all.map(\.name)

    static func candidates(line: String, word: String) -> [String] {
        let before = line.hasSuffix(word) ? String(line.dropLast(word.count)) : line
        let typed = before.split(separator: " ").map(String.init)
        if typed.isEmpty || typed == ["help"] {   // a command name, also after `help`
            let firsts = Set(CommandRegistry.all.compactMap { $0.info.words.first }).sorted() + metaCommands
            return firsts.filter { $0.hasPrefix(word) }
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

    static func paths(matching word: String) -> [String] {
        let expanded = (word as NSString).expandingTildeInPath
        let folder = expanded.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let prefix = expanded.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let shownFolder = word.hasSuffix("/") ? word : (word as NSString).deletingLastPathComponent
        return listing.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") || (prefix.hasPrefix(".") && $0.hasPrefix(prefix)) }.sorted().map { name in
            var isDir: ObjCBool = false
            let full = (folder.isEmpty ? "" : folder + "/") + name
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)   // fills isDir
            let shown = shownFolder.isEmpty ? name : (shownFolder.hasSuffix("/") ? shownFolder + name : shownFolder + "/" + name)
            return shown + (isDir.boolValue ? "/" : "")
        }
    }
}
