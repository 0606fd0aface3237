// TestSupport.swift — what every test target shares: fresh folders and the scaled comparison of
// tensors against their references.
import Foundation

/// Largest |a − b| divided by the largest |reference| (a difference relative to the tensor's scale).
public func scaledMaxDifference(_ a: [Float], _ reference: [Float]) -> Float {
    precondition(a.count == reference.count, "compared tensors differ in size: \(a.count) against \(reference.count)")
    var diff: Float = 0, scale: Float = 0
    for i in 0..<a.count {
        diff = max(diff, abs(a[i] - reference[i]))
        scale = max(scale, abs(reference[i]))
    }
    return diff / max(scale, 1e-12)
}

/// A fresh empty folder under the system's temporary folder.
public func temporaryFolder() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lethe-tests-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A path named `name` in a fresh empty folder.
public func temporaryPath(_ name: String) -> String {
    temporaryFolder() + "/" + name
}
