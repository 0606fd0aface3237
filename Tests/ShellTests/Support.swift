// Support.swift — a small real-vocabulary model on disk, an in-process shell, and the built `lethe`.
import Autograd
import Foundation
@_exported import TestSupport
import GPT2
import Shell
import Testing

enum TestModel {
    /// A 1-block GPT-2 with the full GPT-2 vocabulary (so any text tokenizes), saved once per test run.
    static let path: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-shell-model-\(getpid()).h5").path
        var rng = RNG(seed: 11)
        let config = GPT2Config(contextLength: 32, embeddingSize: 16, layerCount: 1, headCount: 2)
        // Test setup: a failure here is a broken build, not a user error.
        try! GPT2Model(config: config, rng: &rng).save(to: path)
        return path
    }()
}

/// Runs lines through an in-process shell and returns everything it printed.
final class CapturingShell {
    private final class Box { var text = "" }
    private let box = Box()
    let shell: Shell

    init() {
        let box = self.box
        shell = Shell(session: Session(seed: 0, defaultModelPath: TestModel.path)) { box.text += $0 }
    }

    var output: String { box.text }

    @discardableResult
    func run(_ lines: String...) -> String {
        let start = box.text.count
        for line in lines { shell.execute(line) }
        return String(box.text.dropFirst(start))
    }
}


/// The `lethe` executable built next to the test bundle.
var letheExecutable: String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("lethe").path) && dir.path != "/" {
        dir.deleteLastPathComponent()
    }
    return dir.appendingPathComponent("lethe").path
}

/// Runs `lethe` with `arguments` and `input` on standard input; returns (status, stdout, stderr).
func runLethe(_ arguments: [String], input: String = "", environment: [String: String] = [:], directory: String? = nil) throws -> (Int32, String, String) {
    signal(SIGPIPE, SIG_IGN)   // lethe may exit (stopping at an error) before reading all its input
    let process = Process()
    process.executableURL = URL(fileURLWithPath: letheExecutable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}


/// The repository's root (the tests run from it; the shipped models and data live there).
let repositoryRoot: String = {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) && dir.path != "/" { dir.deleteLastPathComponent() }
    return dir.path
}()

/// The one JSON object a `--json` command prints, on exactly one line.
func json(_ text: String) throws -> [String: Any] {
    let lines = text.split(separator: "\n")
    #expect(lines.count == 1, "--json must print exactly one line, got \(lines.count): \(text.prefix(300))")
    let object = try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8))
    return try #require(object as? [String: Any])
}
