// AtomicFile.swift — replacing a file so that a crash leaves the old or the new one, never half of
// either, and so that nobody can make Lethe write somewhere else: the temporary file is created
// exclusively with an unpredictable name (mkstemp) beside the target, non-regular targets (device
// nodes, FIFOs, symbolic links, folders) are refused, and temporaries that a killed Lethe left
// behind are removed.
import Foundation

public enum AtomicFile {
    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try replace(path) { temporary, descriptor in
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw GPT2Error("\(path): cannot write (\(String(cString: strerror(errno))))")
                    }
                    offset += written
                }
            }
        }
    }

    /// Replaces `path` with what `body` writes into a fresh temporary file beside it. `body` gets the
    /// temporary's path and an open descriptor to it. With `bodyCreatesFile` (HDF5, which opens by
    /// path) the name is freed first and `body` must create the file exclusively (O_EXCL), so it can
    /// never write through a link someone put there.
    public static func replace(_ path: String, bodyCreatesFile: Bool = false,
                               _ body: (_ temporary: String, _ descriptor: Int32) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var info = stat()
        let existing = lstat(path, &info) == 0
        if existing && (info.st_mode & S_IFMT) != S_IFREG {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : (info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "not a regular file"
            throw GPT2Error("\(path): is \(kind); expected a regular file to replace (or a new path)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GPT2Error("\(path): folder \(directory) does not exist")
        }
        removeStaleTemporaries(of: name, in: directory)
        var template = Array("\(directory)/.\(name).\(temporaryMarker)\(getpid())-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw GPT2Error("\(path): cannot create a file in \(directory) (\(String(cString: strerror(errno))))")
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var descriptorToSync = descriptor
        defer { close(descriptorToSync) }
        var created = stat()
        fstat(descriptor, &created)
        if bodyCreatesFile { unlink(temporary) }
        do {
            try body(temporary, descriptor)
            if bodyCreatesFile {
                // The body made the file with O_EXCL; reopen it without following links to sync it.
                close(descriptor)
                descriptorToSync = open(temporary, O_RDONLY | O_NOFOLLOW)
                guard descriptorToSync >= 0 else { throw GPT2Error("\(path): cannot reopen the saved file (\(String(cString: strerror(errno))))") }
                fstat(descriptorToSync, &created)
            }
            // The name must still be the file made for this save, not something put there meanwhile.
            var now = stat()
            guard lstat(temporary, &now) == 0, (now.st_mode & S_IFMT) == S_IFREG, now.st_ino == created.st_ino, now.st_dev == created.st_dev else {
                throw GPT2Error("\(path): the temporary file \(temporary) was replaced while saving; nothing was saved")
            }
            // A replaced file keeps its permissions; a new one gets the usual ones (mkstemp makes 0600).
            let mask = umask(0); umask(mask)
            fchmod(descriptorToSync, existing ? info.st_mode & 0o7777 : 0o666 & ~mask)
            guard fsync(descriptorToSync) == 0 else { throw GPT2Error("\(path): cannot write (\(String(cString: strerror(errno))))") }
            guard rename(temporary, path) == 0 else {
                throw GPT2Error("\(path): cannot move the saved file into place (\(String(cString: strerror(errno))))")
            }
            let directoryDescriptor = open(directory, O_RDONLY)
            if directoryDescriptor >= 0 { fsync(directoryDescriptor); close(directoryDescriptor) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    static let temporaryMarker = "lethe-tmp-"

    /// Removes `.NAME.lethe-tmp-PID-XXXXXX` (and the older `.NAME.tmp-PID`) files whose process is gone.
    static func removeStaleTemporaries(of name: String, in directory: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries {
            let pidText: Substring
            if entry.hasPrefix(".\(name).\(temporaryMarker)") {
                pidText = entry.dropFirst(name.count + 2 + temporaryMarker.count).prefix { $0 != "-" }
            } else if entry.hasPrefix(".\(name).tmp-") {
                pidText = entry.dropFirst(name.count + 6)
            } else { continue }
            guard let pid = pid_t(pidText), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }
}

/// A path as it may be stored in a file others will read (a model's history): relative to the
/// current folder when inside it, else only its file name — never the absolute paths of the machine
/// that made it.
public func displayPath(_ path: String) -> String {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
    if absolute.hasPrefix(here + "/") { return String(absolute.dropFirst(here.count + 1)) }
    return URL(fileURLWithPath: absolute).lastPathComponent
}
