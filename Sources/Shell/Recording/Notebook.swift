// Notebook.swift — a session as an nbformat 4.5 Jupyter notebook: markdown cells for notes, one code
// cell per command with its output (specs/aesthetics.md §6b; checked by tools/validate_notebook.py).
import Procedures
import Foundation
import GPT2

public enum Notebook {
    /// `figureFolders`: where to look for the SVG files cells say they wrote (relative paths), first match wins.
    public static func json(cells: [Cell], seed: UInt64, figureFolders: [String] = ["."]) -> JSONValue {
        var out: [JSONValue] = []
        var markdown: [String] = []
        var index = 0
        func flushMarkdown() {
            guard !markdown.isEmpty else { return }
            index += 1
            out.append(.object([("cell_type", .string("markdown")), ("id", .string("cell-\(index)")),
                                ("metadata", .object([])), ("source", lines(markdown))]))
            markdown = []
        }
        for cell in cells {
            switch cell {
            case let .markdown(_, source):
                markdown.append(SessionScript.markdownText(source))
            case .meta:
                continue
            case let .interrupted(source, count, outputLines, message, _):
                flushMarkdown()
                index += 1
                out.append(codeCell(index: index, source: source, count: count, lines: outputLines.map(\.text),
                                    error: "interrupted (Ctrl-C): " + message, elapsed: nil, figureFolders: figureFolders))
            case let .command(source, count, outputLines, error, elapsed):
                flushMarkdown()
                index += 1
                out.append(codeCell(index: index, source: source, count: count, lines: outputLines.map(\.text), error: error, elapsed: elapsed,
                                    figureFolders: figureFolders))
            }
        }
        flushMarkdown()
        // No kernelspec: there is no Lethe kernel to run it with; `lethe run` replays the session.
        return .object([("cells", .array(out)),
                        ("metadata", .object([("language_info", .object([("name", .string("lethe"))])),
                                              ("lethe", .object([("seed", .number(Double(seed)))]))])),
                        ("nbformat", .int(4)), ("nbformat_minor", .int(5))])
    }

    private static func lines(_ text: [String]) -> JSONValue {
        .array(text.enumerated().map { i, l in .string(i == text.count - 1 ? l : l + "\n") })
    }

    private static func codeCell(index: Int, source: String, count: Int, lines outputLines: [String], error: String?, elapsed: Int?,
                                 figureFolders: [String]) -> JSONValue {
        var outputs: [JSONValue] = []
        if !outputLines.isEmpty {
            outputs.append(.object([("name", .string("stdout")), ("output_type", .string("stream")), ("text", lines(outputLines))]))
        }
        // A figure the command wrote (`… written to PATH.svg`) goes in as a picture, after the text.
        for line in outputLines {
            guard let range = line.range(of: " written to "), line.hasSuffix(".svg") else { continue }
            let path = String(line[range.upperBound...])
            let candidates = path.hasPrefix("/") ? [path] : figureFolders.map { $0 + "/" + path }
            guard let svg = candidates.lazy.compactMap({ try? String(contentsOfFile: $0, encoding: .utf8) }).first(where: { $0.contains("<svg") }) else { continue }
            outputs.append(.object([("data", .object([("image/svg+xml", .string(svg)), ("text/plain", .string("<figure \(path)>"))])),
                                    ("metadata", .object([])), ("output_type", .string("display_data"))]))
        }
        if let error {
            outputs.append(.object([("ename", .string("LetheError")), ("evalue", .string(error)),
                                    ("output_type", .string("error")), ("traceback", .array([.string("error: " + error)]))]))
        }
        let metadata: JSONValue = elapsed.map { .object([("lethe", .object([("elapsed_ms", .int($0))]))]) } ?? .object([])
        return .object([("cell_type", .string("code")), ("execution_count", .int(count)), ("id", .string("cell-\(index)")),
                        ("metadata", metadata), ("outputs", .array(outputs)), ("source", .string(source))])
    }

    /// Writes the notebook atomically; returns how many notebook cells it holds (consecutive notes
    /// share one markdown cell).
    @discardableResult
    public static func write(cells: [Cell], seed: UInt64, to path: String, figureFolders: [String] = ["."]) throws -> Int {
        let notebook = json(cells: cells, seed: seed, figureFolders: figureFolders)
        do { try AtomicFile.write(Data((notebook.serialized() + "\n").utf8), to: path) } catch {
            throw UsageError("cannot write notebook \(path): \(error)")
        }
        if case let .object(fields) = notebook, case let .array(written)? = fields.first(where: { $0.0 == "cells" })?.1 { return written.count }
        return 0
    }

    /// Converts a recorded `.lethe` file to a notebook without re-running it.
    public static func export(script path: String, to output: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw UsageError("cannot read session \(path)") }
        var seed: UInt64 = 0
        var count = 0
        let cells: [Cell] = try SessionScript.parse(text).compactMap { item in
            switch item.kind {
            case .markdown: return .markdown(item.source, source: item.source)
            case .meta:
                if item.source.hasPrefix("%seed"), let s = UInt64(item.source.dropFirst(5).trimmingCharacters(in: .whitespaces)) { seed = s }
                return .meta(source: item.source)
            case .command:
                count += 1
                return .command(source: item.source, count: count, lines: item.expected.map(\.output),
                                error: item.expectedError?.message, elapsedMs: 0)
            case .interrupted:
                count += 1
                return .interrupted(source: item.source, count: count, lines: item.expected.map(\.output),
                                    message: item.expectedError?.message ?? "interrupted", replayAs: item.replayAs)
            }
        }
        // Figures were written relative to where the session ran: usually here, or the session's folder's parent.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try write(cells: cells, seed: seed, to: output, figureFolders: [".", folder.path, folder.deletingLastPathComponent().path])
    }
}
