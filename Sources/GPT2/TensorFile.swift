// TensorFile.swift — plain named-tensor HDF5 files: activations dumps, fixtures, PyTorch-named weights.
import Foundation

/// Reads and writes HDF5 files of named float (and integer) datasets.
public enum TensorFile {
    /// Every dataset path in the file.
    public static func datasetNames(in path: String) throws -> [String] {
        try wrap { try HDF5File(readingFrom: path).datasetPaths() }
    }

    public static func readFloats(_ dataset: String, from path: String) throws -> (shape: [Int], values: [Float]) {
        try wrap { try HDF5File(readingFrom: path).readFloats(dataset) }
    }

    public static func readIntegers(_ dataset: String, from path: String) throws -> (shape: [Int], values: [Int64]) {
        try wrap { try HDF5File(readingFrom: path).readIntegers(dataset) }
    }

    /// Writes `tensors` (dataset name → shape and values), and any `integers` datasets, atomically.
    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])],
                             integers: [(name: String, shape: [Int], values: [Int64])] = [], to path: String) throws {
        try wrap {
            try writeHDF5Atomically(to: path) { file in
                for t in tensors { try file.writeFloats(t.name, shape: t.shape, values: t.values) }
                for t in integers { try file.writeIntegers(t.name, shape: t.shape, values: t.values) }
            }
        }
    }

    private static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as HDF5Error { throw GPT2Error(e.description) }
    }
}
