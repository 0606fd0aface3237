// WritePolicy.swift — where a session may write. A session file from someone else is a program: replayed
// with `lethe run`, it writes only under the current folder unless `--allow-writes-anywhere` is given.
// Every command and meta-command that writes a file asks ``Session/writablePath(_:for:)`` first.
import Foundation
import Procedures

public enum WritePolicy: Equatable, Sendable {
    case anywhere
    /// Only below this folder (an absolute path with symbolic links resolved).
    case under(String)

    /// Below the current folder.
    public static var currentFolder: WritePolicy { .under(resolvedPath(FileManager.default.currentDirectoryPath)) }
}

extension Session {
    /// `path` with `~` expanded, if the policy allows writing there; otherwise a one-line error naming
    /// the path and the folder writes are confined to.
    public func writablePath(_ path: String, for what: String) throws -> String {
        let expanded = (path as NSString).expandingTildeInPath
        guard case let .under(root) = writePolicy else { return expanded }
        let resolved = resolvedPath(expanded)
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard resolved.hasPrefix(prefix) else {
            refusedWrites.append(path)
            throw UsageError("\(what): refused to write \(path): a replayed session writes only under \(root) (replay with --allow-writes-anywhere to allow it)")
        }
        // Hidden files and folders (.git/config, .bashrc, .envrc) are configuration other programs run:
        // a replayed session must not plant lines in them.
        if resolved.dropFirst(prefix.count).split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            refusedWrites.append(path)
            throw UsageError("\(what): refused to write \(path): a replayed session does not write hidden files or folders (replay with --allow-writes-anywhere to allow it)")
        }
        return expanded
    }
}

/// The absolute, physical path: the longest existing prefix resolved by `realpath` (which follows
/// symbolic links before `..`, as the system does), then the rest as written. A `..` in the part that
/// does not exist yet cannot be resolved safely, so it makes the path resolve to "/" (never confined).
func resolvedPath(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    var components = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    var missing: [String] = []
    while true {
        let prefix = "/" + components.joined(separator: "/")
        if let real = realpath(prefix, nil) {
            var resolved = String(cString: real)
            free(real)
            for component in missing where component != "." {
                if component == ".." { return "/" }
                resolved = resolved == "/" ? "/" + component : resolved + "/" + component
            }
            return resolved
        }
        guard let last = components.popLast() else { return "/" }
        missing.insert(last, at: 0)
    }
}
