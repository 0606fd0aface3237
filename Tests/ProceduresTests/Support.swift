// Support.swift — fixture paths for the procedure tests.
import Foundation
import GPT2

enum Fixtures {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    static func path(_ name: String) -> String { folder + "/" + name }
    static let classifierModel = path("tiny-classifier/tf_model.h5")
    static let classifierReference = path("classifier_reference.h5")
}

/// Largest |a − b| divided by the largest |reference|.
func scaledMaxDifference(_ a: [Float], _ reference: [Float]) -> Float {
    precondition(a.count == reference.count)
    var diff: Float = 0, scale: Float = 0
    for i in 0..<a.count {
        diff = max(diff, abs(a[i] - reference[i]))
        scale = max(scale, abs(reference[i]))
    }
    return diff / max(scale, 1e-12)
}
