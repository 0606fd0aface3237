// Recorder.swift — appends each cell to the session file as soon as it finishes, and syncs it,
// so a crash or `kill -9` loses at most the command in flight. A new record is created exclusively
// (two shells never share one), and a failed write is reported, never swallowed.
import Foundation
import Autograd
import GPT2
import Procedures

final class Recorder {
    let path: String
    private let descriptor: Int32

    /// Appends to `path` (a session file, or a new one with a header). With `exclusive`, the file must
    /// not exist yet: `Recorder.createUnique` picks a free name.
    init(path: String, seed: UInt64, exclusive: Bool = false) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : 0)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw RecordingError(code: code, description: "cannot record to \(path) (\(String(cString: strerror(code))))")
        }
        var info = stat()
        fstat(descriptor, &info)
        // (On a throw below, deinit closes the descriptor: every stored property is set by then.)
        if (info.st_mode & S_IFMT) == S_IFDIR { throw UsageError("cannot record to \(path): it is a folder") }
        if info.st_size == 0 {
            let stamp = ISO8601DateFormatter().string(from: Date())
            if let failure = write("# Lethe session, started \(stamp)\n\(SessionScript.numericalSettingPrefix)\(Threads.numericalSetting)\n%seed \(seed)\n") {
                throw UsageError(failure)
            }
        }
    }

    deinit { close(descriptor) }

    /// Appends one cell; returns a one-line description of the failure, if the write failed.
    func append(_ cell: Cell) -> String? {
        write(SessionScript.render(cell) + "\n")
    }

    private func write(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        let start = lseek(descriptor, 0, SEEK_END)   // where this cell begins: a failed write is cut back to it
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                if start >= 0 { _ = ftruncate(descriptor, start) }   // the record stays whole up to the last complete cell
                return "recording to \(path) failed (\(reason))"
            }
            offset += written
        }
        if fsync(descriptor) != 0 && errno != EINVAL && errno != EROFS {   // EINVAL: a pipe or device, nothing to sync
            return "recording to \(path) failed to reach the disk (\(String(cString: strerror(errno))))"
        }
        return nil
    }

    /// A new record in `folder` named after the time, created exclusively: a second shell started in
    /// the same second gets `-2`, `-3`, ….
    static func createUnique(in folder: String, seed: UInt64, now: Date = Date()) throws -> Recorder {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HHmmss"
        let stem = folder + "/session-" + formatter.string(from: now)
        for attempt in 1...1000 {
            let path = stem + (attempt == 1 ? "" : "-\(attempt)") + ".lethe"
            do { return try Recorder(path: path, seed: seed, exclusive: true) } catch let error as RecordingError where error.code == EEXIST {
                continue
            }
        }
        throw UsageError("cannot record: \(stem)-*.lethe all exist")
    }

    /// Where interactive sessions are recorded: `~/.lethe/sessions/` (never the current project's
    /// `sessions/`, which holds the recordings that ship).
    static var defaultFolder: String {
        (ProcessInfo.processInfo.environment["HOME"] ?? FileManager.default.currentDirectoryPath) + "/.lethe/sessions"
    }
}

/// A session file that could not be opened, with the system's reason.
struct RecordingError: Error, CustomStringConvertible {
    let code: Int32
    let description: String
}
