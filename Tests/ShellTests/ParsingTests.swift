// ParsingTests.swift — the command grammar: words, quotes, escapes, comments, flags.
import Procedures
import Shell
import Testing

@Suite("Command grammar")
struct ParsingTests {
    @Test func quotesEscapesAndComments() throws {
        #expect(try LineSplitter.split(#"generate "Hello,\n \"world\"" --max-tokens 5  # a note"#)
                == ["generate", "Hello,\n \"world\"", "--max-tokens", "5"])
        #expect(try LineSplitter.split(#"tokenize "a # not a comment""#) == ["tokenize", "a # not a comment"])
        #expect(throws: UsageError.self) { try LineSplitter.split(#"generate "unclosed"#) }
        #expect(throws: UsageError.self) { try LineSplitter.split(#"generate "bad \q escape""#) }
    }

    @Test(arguments: ["plain", "two words", "tab\there", "quote\"inside", "back\\slash", "", "new\nline", "#hash"])
    func quoteRoundTrips(word: String) throws {
        #expect(try LineSplitter.split("x " + LineSplitter.quote(word)) == ["x", word])
    }

    @Test func flagsAreCheckedAgainstTheCommand() throws {
        let info = CommandInfo(name: "demo", abstract: "", flags: [FlagInfo("top", value: "K", ""), FlagInfo("all", "")])
        let a = try Arguments(["text", "--top", "3", "--all", "--json"], info: info)
        let top = try a.int("top", default: 1)
        #expect(a.positionals == ["text"] && top == 3 && a.has("all") && a.has("json"))
        #expect(try Arguments(["--top=7"], info: info).int("top", default: 0) == 7)
        #expect(try Arguments(["-1.5"], info: info).positionals == ["-1.5"])
        do { _ = try Arguments(["--nope"], info: info); Issue.record("unknown flag accepted") } catch let e as UsageError {
            #expect(e.description.contains("unknown flag --nope") && e.description.contains("--top"))
        }
        #expect(throws: UsageError.self) { try Arguments(["--top"], info: info) }
        #expect(throws: UsageError.self) { try Arguments(["--top", "x"], info: info).int("top", default: 0) }
    }
}
