// StableJSON.swift — JSON text for values Lethe writes into files and records: keys sorted, so the
// same value gives the same bytes in every run (a Swift dictionary's order changes per process).
import Foundation

public enum StableJSON {
    public static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
