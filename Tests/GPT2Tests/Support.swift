// Support.swift — fixture paths and tensor comparison for the GPT-2 tests.
import Autograd
import Foundation
@_exported import TestSupport
import GPT2
import Testing

enum Fixtures {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    static func path(_ name: String) -> String { folder + "/" + name }
    static let reference = path("reference.h5")
    static let models = ["tiny-keras-fixed", "tiny-keras-vlen"]

    static func floats(_ dataset: String) throws -> (shape: [Int], values: [Float]) {
        try TensorFile.readFloats(dataset, from: reference)
    }

    static func ints(_ dataset: String) throws -> [Int] {
        try TensorFile.readIntegers(dataset, from: reference).values.map { Int($0) }
    }

    static func batch(model: String, index: Int) throws -> TokenBatch {
        let ids = try TensorFile.readIntegers("\(model)/batch\(index)/ids", from: reference)
        let lengths = try ints("\(model)/batch\(index)/lengths")
        return TokenBatch(ids: ids.values.map { Int32($0) }, batchSize: ids.shape[0], length: ids.shape[1], lengths: lengths)
    }
}

