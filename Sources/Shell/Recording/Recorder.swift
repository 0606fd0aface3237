// Recorder.swift — appends each cell to the session file as soon as it finishes, and syncs it,
// so a crash or `kill -9` loses at most the command in flight.
import Foundation

final class Recorder {
    let path: String
    private let handle: FileHandle

    init(path: String, seed: UInt64) throws {
        self.path = path
        let fm = FileManager.default
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let isNew = !fm.fileExists(atPath: path)
        if isNew && !fm.createFile(atPath: path, contents: nil) {
            throw UsageError("cannot create the session record \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw UsageError("cannot write the session record \(path)") }
        self.handle = handle
        handle.seekToEndOfFile()
        if isNew {
            let stamp = ISO8601DateFormatter().string(from: Date())
            write("# Lethe session, started \(stamp)\n%seed \(seed)\n")
        }
    }

    deinit { try? handle.close() }

    func append(_ cell: Cell) {
        write(SessionScript.render(cell) + "\n")
    }

    private func write(_ text: String) {
        try? handle.write(contentsOf: Data(text.utf8))
        try? handle.synchronize()
    }

    /// The default place for an interactive session's record: `sessions/` of the current project,
    /// else `~/.lethe/sessions/`.
    static func defaultPath() -> String {
        let fm = FileManager.default
        let cwd = fm.currentDirectoryPath
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HHmmss"
        let name = "session-\(formatter.string(from: Date())).lethe"
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: cwd + "/sessions", isDirectory: &isDir), isDir.boolValue { return cwd + "/sessions/" + name }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? cwd
        return home + "/.lethe/sessions/" + name
    }
}
