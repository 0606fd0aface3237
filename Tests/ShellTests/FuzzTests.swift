// FuzzTests.swift — seeded random inputs for the command and meta-command parser, the session-file
// parser and `--check` comparer, and the BPE tokenizer. A crash ends the test process (a failure);
// every rejected input must give one line. LETHE_FUZZ_SCALE=N runs N times as many cases, LETHE_FUZZ_SEED=S others.
import Autograd
import Foundation
import GPT2
import Procedures
import Shell
import Testing

/// Cases per fuzzer: a few thousand in all in CI; more with LETHE_FUZZ_SCALE.
let fuzzScale = max(1, Int(ProcessInfo.processInfo.environment["LETHE_FUZZ_SCALE"] ?? "1") ?? 1)
/// Added to every fuzzer's seed (LETHE_FUZZ_SEED): another value explores other cases, reproducibly.
let fuzzSeed = UInt64(ProcessInfo.processInfo.environment["LETHE_FUZZ_SEED"] ?? "0") ?? 0

private extension RNG {
    mutating func pick<T>(_ items: [T]) -> T { items[nextInt(below: items.count)] }

    /// A line made of pieces that matter to the parsers: quotes, escapes, flags, comments, numbers, Unicode.
    mutating func commandLikeLine() -> String {
        let pieces = ["\"", "\\", "\\n", "\\q", "#", "--", "--json", "--max-tokens", "-", "=", " ", "  ", "\t", "%", "%run", "%save",
                      "%seed", "%md", "1e9", "-1", "NaN", "0", "99999999999999999999", "é", "🙂", "\u{0}", "\r", "\r\n", "\u{2028}",
                      "tokenize", "help", "generate", "load", "model", "sophon", "stpe", "x", "Holmes", "'", "`", "..", "/"]
        return (0..<(1 + nextInt(below: 12))).map { _ in pick(pieces) }.joined()
    }

    mutating func unicodeString(maxScalars: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<nextInt(below: maxScalars + 1) {
            let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF, 0x20...0x20, 0x0A...0x0A]
            let range = pick(ranges)
            let value = range.lowerBound + UInt32(nextInt(below: Int(range.upperBound - range.lowerBound) + 1))
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}

@Suite("Fuzzing the parsers and the tokenizer", .serialized)
struct FuzzTests {
    @Test func lineSplitterRoundTripsAndNeverCrashes() {
        var rng = RNG(seed: 1 &+ fuzzSeed)
        var split = 0
        for _ in 0..<(2000 * fuzzScale) {
            let line = rng.commandLikeLine()
            guard let words = try? LineSplitter.split(line) else { continue }
            split += 1
            // What split gives back, quoted, splits to the same words (recorded commands replay as typed).
            let requoted = words.map(LineSplitter.quote).joined(separator: " ")
            #expect((try? LineSplitter.split(requoted)) == words, "\(line.debugDescription) → \(words) → \(requoted.debugDescription)")
        }
        #expect(split > 200)
    }

    @Test func everyCommandsFlagParserRejectsInOneLine() {
        var rng = RNG(seed: 2 &+ fuzzSeed)
        for _ in 0..<(2000 * fuzzScale) {
            let command = rng.pick(CommandRegistry.all)
            let words = (try? LineSplitter.split(rng.commandLikeLine())) ?? []
            do { _ = try Arguments(words, info: command.info) } catch {
                let message = Shell.message(for: error)
                #expect(!message.contains("\n") && message.hasPrefix(command.info.name + ":"), "\(message.debugDescription)")
            }
        }
    }

    /// Lines through a shell with no model to load: parsing, dispatch, "did you mean", meta-commands and
    /// the cheap commands run; each failure is one line.
    @Test func shellAnswersEveryLineInOneLineErrors() {
        var rng = RNG(seed: 3 &+ fuzzSeed)
        let folder = temporaryFolder()
        let session = Session(seed: 0, defaultModelPath: nil)
        session.writePolicy = .under(folder)   // %save and %notebook of random names stay in a scratch folder
        let shell = Shell(session: session, write: { _ in })
        let safe = ["tokenize", "help", "info", "models", "use", "restore", "generate", "score", "logits", "lens", "%seed", "%history",
                    "%md", "%record", "%save", "%notebook", "%time tokenize", "%nope", "sophon stpe", "perplexty", "quit-not", "exitt"]
        var errors = 0
        for _ in 0..<(1000 * fuzzScale) {
            var line = rng.pick(safe) + " " + rng.commandLikeLine()
            if rng.nextInt(below: 4) == 0 { line = rng.commandLikeLine() }
            if line.hasPrefix("%run") || line.hasPrefix("%record") { line = "%record " + folder + "/r.lethe" }   // nesting is tested elsewhere
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("%quit") || line.hasPrefix("%exit") { continue }
            guard let cell = shell.execute(line) else { continue }
            switch cell {
            case let .command(_, _, _, error?, _):
                errors += 1
                #expect(!error.contains("\n"), "\(line.debugDescription): \(error.debugDescription)")
            default: break
            }
        }
        #expect(errors > 100)
    }

    @Test func sessionFileParserAndCheckerSurviveMutations() throws {
        let original = try String(contentsOfFile: repositoryRoot + "/sessions/gpt2-evaluation.lethe", encoding: .utf8)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines = Array(lines.prefix(120))
        var rng = RNG(seed: 4 &+ fuzzSeed)
        var parsed = 0
        for _ in 0..<(500 * fuzzScale) {
            var mutated = lines
            for _ in 0..<(1 + rng.nextInt(below: 4)) {
                let i = rng.nextInt(below: mutated.count)
                switch rng.nextInt(below: 6) {
                case 0: mutated.remove(at: i)
                case 1: mutated.insert(mutated[i], at: i)
                case 2: mutated[i] = rng.pick(["#> ", "#~ ", "#! ", "#^ ", "#^= ", "%", "## ", ""]) + rng.commandLikeLine()
                case 3: mutated[i] += rng.pick(["\r", "\r\n", "\u{0}", "\u{2028}", "\\"])
                case 4: mutated.swapAt(i, rng.nextInt(below: mutated.count))
                default: mutated[i] = String(mutated[i].shuffled())
                }
                if mutated.isEmpty { mutated = [""] }
            }
            let text = mutated.joined(separator: rng.nextInt(below: 5) == 0 ? "\r\n" : "\n")
            do {
                let items = try SessionScript.parse(text)
                parsed += 1
                for item in items {
                    for (_, output) in item.expected {
                        // The comparer is total and reflexive on anything a file can hold.
                        #expect(Replay.matches(output.text, output.text, relativeTolerance: 2e-3))
                        _ = Replay.matches(output.text, rng.commandLikeLine(), relativeTolerance: 2e-3)
                    }
                }
            } catch {
                let message = "\(error)"
                #expect(message.hasPrefix("line ") && !message.contains("\n"), "\(message.debugDescription)")
            }
        }
        #expect(parsed > 50)
    }

    @Test func recordedCellsParseBackAsRecorded() {
        var rng = RNG(seed: 5 &+ fuzzSeed)
        for _ in 0..<(1000 * fuzzScale) {
            let outputs = (0..<rng.nextInt(below: 4)).map { _ in rng.nextInt(below: 2) == 0 ? OutputLine.checked(rng.unicodeString(maxScalars: 12)) : .volatile(rng.unicodeString(maxScalars: 12)) }
            let error = rng.nextInt(below: 3) == 0 ? rng.unicodeString(maxScalars: 10) : nil
            let cell = Cell.command(source: "tokenize x", count: 1, lines: outputs, error: error, elapsedMs: 0)
            let rendered = SessionScript.render(cell)
            guard let items = try? SessionScript.parse(rendered), items.count == 1, let item = items.first else {
                Issue.record("did not parse back: \(rendered.debugDescription)")
                continue
            }
            #expect(item.expected.map(\.output) == outputs.map {
                switch $0 {
                case .checked(let s): return OutputLine.checked(s.isEmpty ? "" : SessionScript.escapeControls(s))
                case .volatile(let s): return OutputLine.volatile(s.isEmpty ? "" : SessionScript.escapeControls(s))
                }
            }, "\(rendered.debugDescription)")
            #expect(item.expectedError?.message == error.map(SessionScript.escapeControls))
        }
    }

    @Test func tokenizerRoundTripsArbitraryText() throws {
        let tokenizer = try BPETokenizer.bundled()
        var rng = RNG(seed: 6 &+ fuzzSeed)
        for _ in 0..<(1000 * fuzzScale) {
            let text: String
            if rng.nextInt(below: 2) == 0 {
                text = rng.unicodeString(maxScalars: 40)
            } else {   // arbitrary bytes, as a file of unknown encoding would give them
                let bytes = (0..<rng.nextInt(below: 60)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let ids = tokenizer.encode(text)
            #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
            #expect(tokenizer.decode(ids) == text, "\(text.debugDescription)")
        }
    }
}
