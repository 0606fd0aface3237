// JSONSchema.swift — a JSON Schema (draft 4) checker for the keywords nbformat 4.5's schema uses, so a test
// can validate exported notebooks without Python. Its verdicts are tested against jsonschema's on the cases
// of tools/make_notebook_fixtures.py before it judges Lethe's notebooks.
import Foundation

/// A parsed JSON document. Booleans and numbers stay distinct, as the schema's types need.
indirect enum JSON: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSON]), object([String: JSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSON].self)) }
    }

    static func parse(_ data: Data) throws -> JSON { try JSONDecoder().decode(JSON.self, from: data) }

    subscript(key: String) -> JSON? { members?[key] }
    var members: [String: JSON]? { if case .object(let o) = self { return o } else { return nil } }
    var text: String? { if case .string(let s) = self { return s } else { return nil } }
}

struct JSONSchema {
    let root: JSON

    /// The first violation found, as "path: what", or nil when `document` is valid.
    func violation(of document: JSON) -> String? { check(document, against: root, at: "$") }

    private func resolve(_ reference: String) -> JSON? {
        guard reference.hasPrefix("#/") else { return nil }
        return reference.dropFirst(2).split(separator: "/").reduce(Optional(root)) { $0?[String($1)] }
    }

    private static func matches(_ value: JSON, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .number(let n)): return n == n.rounded()
        default: return false
        }
    }

    private func check(_ value: JSON, against schema: JSON, at path: String) -> String? {
        guard case .object(let s) = schema else { return nil }
        if case .string(let reference)? = s["$ref"] {
            guard let target = resolve(reference) else { return "\(path): unresolvable $ref \(reference)" }
            return check(value, against: target, at: path)
        }
        if let type = s["type"] {
            let names: [String]
            switch type {
            case .string(let name): names = [name]
            case .array(let list): names = list.compactMap(\.text)
            default: names = []
            }
            if !names.contains(where: { Self.matches(value, type: $0) }) { return "\(path): not of type \(names.joined(separator: " or "))" }
        }
        if case .array(let allowed)? = s["enum"], !allowed.contains(value) { return "\(path): not one of the allowed values" }
        if case .array(let options)? = s["oneOf"] {
            let passing = options.filter { check(value, against: $0, at: path) == nil }.count
            if passing != 1 { return "\(path): matches \(passing) of oneOf's \(options.count) schemas, not exactly one" }
        }
        if let forbidden = s["not"], check(value, against: forbidden, at: path) == nil { return "\(path): matches a schema it must not" }
        switch value {
        case .number(let n):
            if case .number(let minimum)? = s["minimum"], n < minimum { return "\(path): \(n) is below the minimum \(minimum)" }
            if case .number(let maximum)? = s["maximum"], n > maximum { return "\(path): \(n) is above the maximum \(maximum)" }
        case .string(let text):
            let length = text.unicodeScalars.count
            if case .number(let least)? = s["minLength"], Double(length) < least { return "\(path): shorter than \(Int(least))" }
            if case .number(let most)? = s["maxLength"], Double(length) > most { return "\(path): longer than \(Int(most))" }
            if case .string(let pattern)? = s["pattern"], !Self.search(pattern, in: text) { return "\(path): does not match \(pattern)" }
        case .array(let items):
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() {
                    if let failure = check(item, against: itemSchema, at: "\(path)[\(i)]") { return failure }
                }
            }
            if case .bool(true)? = s["uniqueItems"] {
                for i in items.indices where items[..<i].contains(items[i]) { return "\(path): item \(i) repeats an earlier one" }
            }
        case .object(let members):
            if case .array(let required)? = s["required"] {
                for case .string(let key) in required where members[key] == nil { return "\(path): '\(key)' is required" }
            }
            let properties = s["properties"]?.members ?? [:]
            let patterned = s["patternProperties"]?.members ?? [:]
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                var described = false
                if let propertySchema = properties[key] {
                    described = true
                    if let failure = check(member, against: propertySchema, at: "\(path).\(key)") { return failure }
                }
                for (pattern, patternSchema) in patterned.sorted(by: { $0.key < $1.key }) where Self.search(pattern, in: key) {
                    described = true
                    if let failure = check(member, against: patternSchema, at: "\(path).\(key)") { return failure }
                }
                switch s["additionalProperties"] {
                case .bool(false)? where !described: return "\(path): '\(key)' is not allowed"
                case .object? where !described:
                    if let failure = check(member, against: s["additionalProperties"] ?? .null, at: "\(path).\(key)") { return failure }
                default: break
                }
            }
        default: break
        }
        return nil
    }

    /// JSON Schema patterns are unanchored ECMA-262 searches.
    private static func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
