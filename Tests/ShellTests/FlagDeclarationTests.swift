// FlagDeclarationTests.swift — every flag a command reads is declared once, in its CommandInfo, and
// usage lines are generated from those declarations.
import Foundation
import Procedures
import Shell
import Testing

@Suite("Flags declared once")
struct FlagDeclarationTests {
    /// The Swift files under `Sources/FOLDER`, by their path below it.
    private static func sources(_ folder: String) throws -> [(path: String, text: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let base = root.appendingPathComponent("Sources/" + folder)
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        return try files.sorted().map { ($0, try String(contentsOf: base.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The source files of the shell's commands and their helpers, and of the procedures' own verbs.
    private static func shellSources() throws -> [(path: String, text: String)] {
        try sources("Shell") + sources("Procedures").filter { $0.path.contains("/Verbs/") }
    }

    private static func matches(_ pattern: String, in text: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test func everyLiteralFlagReadIsDeclaredInItsFile() throws {
        let sources = try Self.shellSources()
        #expect(sources.count > 40)
        var reads = 0
        for (path, text) in sources {
            let declared = Set(try Self.matches(#"FlagInfo\("([a-z0-9-]+)""#, in: text)).union(["json"])
                .union(text.contains("FlagInfo.plot(") ? ["plot"] : [])   // `--plot FILE.svg`, declared by FlagInfo.plot
            let read = try Self.matches(#"\b(?:a|arguments)\.(?:string|int|float|double|has|seed|hookPoint)\("([a-z0-9-]+)""#, in: text)
            reads += read.count
            for flag in read {
                #expect(declared.contains(flag), "\(path) reads --\(flag) but declares no FlagInfo(\"\(flag)\")")
            }
        }
        #expect(reads > 150, "the scan should see the commands' flag reads (saw \(reads))")
    }

    /// A procedure is a folder under `Procedures/` and one line of the registry: the shell names no
    /// procedure's types anywhere else (bench, which times them, excepted).
    @Test func theShellHoldsNoProcedureCode() throws {
        let names = try NSRegularExpression(pattern: #"\b(SophonTrainer|SophonSettings|ELMProcedure|ELMSettings|WHPProcedure|WHPSettings)\b"#)
        var offenders: [String] = []
        for (path, text) in try Self.sources("Shell") where !["Core/CommandRegistry.swift", "Commands/BenchProcedures.swift"].contains(path) {
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                let s = String(line)
                if names.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil { offenders.append("\(path): \(s)") }
            }
        }
        #expect(offenders.isEmpty, "\(offenders)")
        #expect(CommandRegistry.all.contains { $0.info.name == "whp anchors" } && CommandRegistry.all.contains { $0.info.name == "elm merge" })
    }

    @Test func usageLinesAreGeneratedFromTheDeclarations() throws {
        for command in CommandRegistry.all {
            let info = command.info
            #expect(info.usage.hasPrefix(info.name))
            for flag in info.flags where flag.isRequired { #expect(info.usage.contains(flag.synopsis) && !info.usage.contains("[" + flag.synopsis + "]")) }
            for flag in info.flags.filter({ !$0.isRequired }).prefix(6) { #expect(info.usage.contains("[" + flag.synopsis + "]"), "\(info.name): \(flag.name)") }
        }
        // The drift the architecture review found: these flags were missing from hand-written usage lines.
        let usage = Dictionary(uniqueKeysWithValues: CommandRegistry.all.map { ($0.info.name, $0.info.usage) })
        #expect(usage["zeroshot sentiment"]?.contains("--batch") == true)
        #expect(usage["sophon eval"]?.contains("--seed") == true)
        #expect(usage["relearn"]?.contains("--seed") == true || usage["relearn"]?.contains("more flags") == true)
        #expect(CapturingShell().run("help relearn").contains("--seed"))   // the usage may fold it; the help lists it
    }

    @Test func readingAnUndeclaredFlagIsReported() throws {
        let info = CommandInfo(name: "demo", abstract: "a command with one flag", flags: [FlagInfo("steps", value: "N", "steps")])
        let arguments = try Arguments(["--steps", "3"], info: info)
        _ = Arguments.takeUndeclaredReads()
        #expect(try arguments.int("steps", default: 0) == 3)
        #expect(Arguments.takeUndeclaredReads().isEmpty)
        _ = try arguments.int("step", default: 0)   // the typo the declaration check exists for
        _ = arguments.has("verbose")
        #expect(Arguments.takeUndeclaredReads() == ["demo --step", "demo --verbose"])
    }
}
