// Notebook.swift — a session as an nbformat 4.5 Jupyter notebook: markdown cells for notes, one code
// cell per command with its output (specs/aesthetics.md §6b; checked by tools/validate_notebook.py).
import Foundation
import GPT2

public enum Notebook {
    public static func json(cells: [Cell], seed: UInt64) -> JSONValue {
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
                                    error: "interrupted (Ctrl-C): " + message, elapsed: nil))
            case let .command(source, count, outputLines, error, elapsed):
                flushMarkdown()
                index += 1
                out.append(codeCell(index: index, source: source, count: count, lines: outputLines.map(\.text), error: error, elapsed: elapsed))
            }
        }
        flushMarkdown()
        let kernel: JSONValue = .object([("display_name", .string("Lethe")), ("language", .string("lethe")), ("name", .string("lethe"))])
        return .object([("cells", .array(out)),
                        ("metadata", .object([("kernelspec", kernel), ("language_info", .object([("name", .string("lethe"))])),
                                              ("lethe", .object([("seed", .number(Double(seed)))]))])),
                        ("nbformat", .int(4)), ("nbformat_minor", .int(5))])
    }

    private static func lines(_ text: [String]) -> JSONValue {
        .array(text.enumerated().map { i, l in .string(i == text.count - 1 ? l : l + "\n") })
    }

    private static func codeCell(index: Int, source: String, count: Int, lines outputLines: [String], error: String?, elapsed: Int?) -> JSONValue {
        var outputs: [JSONValue] = []
        if !outputLines.isEmpty {
            outputs.append(.object([("name", .string("stdout")), ("output_type", .string("stream")), ("text", lines(outputLines))]))
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
    public static func write(cells: [Cell], seed: UInt64, to path: String) throws -> Int {
        let notebook = json(cells: cells, seed: seed)
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
        try write(cells: cells, seed: seed, to: output)
    }
}
