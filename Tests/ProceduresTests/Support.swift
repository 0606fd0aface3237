// Support.swift — fixture paths for the procedure tests.
import Foundation
@_exported import TestSupport
import GPT2

enum Fixtures {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    static func path(_ name: String) -> String { folder + "/" + name }
    static let classifierModel = path("tiny-classifier/tf_model.h5")
    static let classifierReference = path("classifier_reference.h5")
}

