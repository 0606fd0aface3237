// SettingFlags.swift — a procedure's settings declared once as flags: the name, the help, how a
// value parses into the settings, and whether it is fixed once a run has started. The shell
// builds each `config` command's flags, usage and parsing from these; the procedure's `update`
// enforces the fixed ones, so no procedure rule lives in the shell.
import Foundation

/// A value a user typed that does not fit the setting (the shell adds the command's name).
public struct SettingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public struct SettingFlag<Settings> {
    public let name: String
    /// The value's placeholder (`LR`, `soft|hard`); nil for a switch.
    public let value: String?
    public let help: String
    /// Changing it after the run has started is refused: the run's data or state depends on it.
    public let fixedOnceStarted: Bool
    /// Sets the value (nil for a switch) into the settings.
    public let apply: (inout Settings, String?) throws -> Void
    /// Whether two settings differ in what this flag sets.
    public let differs: (Settings, Settings) -> Bool

    public init(_ name: String, value: String?, help: String, fixedOnceStarted: Bool = false,
                apply: @escaping (inout Settings, String?) throws -> Void, differs: @escaping (Settings, Settings) -> Bool) {
        self.name = name; self.value = value; self.help = help; self.fixedOnceStarted = fixedOnceStarted
        self.apply = apply; self.differs = differs
    }

    /// A number (Int, Float, Double, UInt64) at `keyPath`.
    public static func number<T: LosslessStringConvertible & Equatable>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, T>, value: String, help: String, fixedOnceStarted: Bool = false
    ) -> SettingFlag {
        SettingFlag(name, value: value, help: help, fixedOnceStarted: fixedOnceStarted, apply: { settings, text in
            guard let text, let parsed = T(text) else {
                throw SettingError("--\(name) expects \(T.self == UInt64.self ? "a non-negative whole number" : T.self == Int.self ? "a whole number" : "a number"), got '\(text ?? "")'")
            }
            if let real = parsed as? Double, !real.isFinite { throw SettingError("--\(name) expects a finite number, got '\(text)'") }
            if let real = parsed as? Float, !real.isFinite { throw SettingError("--\(name) expects a finite number, got '\(text)'") }
            settings[keyPath: keyPath] = parsed
        }, differs: { $0[keyPath: keyPath] != $1[keyPath: keyPath] })
    }

    /// One of named values, e.g. `soft|hard`.
    public static func choice<T: Equatable>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, T>, _ choices: [(String, T)], help: String, fixedOnceStarted: Bool = false
    ) -> SettingFlag {
        let names = choices.map(\.0)
        return SettingFlag(name, value: names.joined(separator: "|"), help: help, fixedOnceStarted: fixedOnceStarted, apply: { settings, text in
            guard let text, let match = choices.first(where: { $0.0 == text }) else {
                throw SettingError("--\(name) expects \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""), got '\(text ?? "")'")
            }
            settings[keyPath: keyPath] = match.1
        }, differs: { $0[keyPath: keyPath] != $1[keyPath: keyPath] })
    }

    /// A raw-valued enumeration, its cases named by their raw values.
    public static func choice<T: RawRepresentable & CaseIterable & Equatable>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, T>, help: String, fixedOnceStarted: Bool = false
    ) -> SettingFlag where T.RawValue == String {
        choice(name, keyPath, T.allCases.map { ($0.rawValue, $0) }, help: help, fixedOnceStarted: fixedOnceStarted)
    }

    /// A switch that sets `keyPath` to `value` when given.
    public static func toggle<T: Equatable>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, T>, to value: T, help: String
    ) -> SettingFlag {
        SettingFlag(name, value: nil, help: help, apply: { settings, _ in settings[keyPath: keyPath] = value },
                    differs: { $0[keyPath: keyPath] != $1[keyPath: keyPath] })
    }

    /// Free text (a path, a concept) at `keyPath`.
    public static func text(
        _ name: String, _ keyPath: WritableKeyPath<Settings, String?>, value: String, help: String, fixedOnceStarted: Bool = false
    ) -> SettingFlag {
        SettingFlag(name, value: value, help: help, fixedOnceStarted: fixedOnceStarted, apply: { settings, text in
            guard let text, !text.isEmpty else { throw SettingError("--\(name) expects \(value)") }
            settings[keyPath: keyPath] = text
        }, differs: { $0[keyPath: keyPath] != $1[keyPath: keyPath] })
    }

    /// A comma-separated list, each item parsed by `parse` (nil: not valid).
    public static func list<T: Equatable>(
        _ name: String, _ keyPath: WritableKeyPath<Settings, [T]>, value: String, help: String, expected: String,
        fixedOnceStarted: Bool = false, parse: @escaping (String) -> T?
    ) -> SettingFlag {
        SettingFlag(name, value: value, help: help, fixedOnceStarted: fixedOnceStarted, apply: { settings, text in
            let items = (text ?? "").split(separator: ",").map(String.init)
            guard !items.isEmpty else { throw SettingError("--\(name) expects \(expected)") }
            settings[keyPath: keyPath] = try items.map { item in
                guard let parsed = parse(item) else { throw SettingError("--\(name) expects \(expected), got '\(item)'") }
                return parsed
            }
        }, differs: { $0[keyPath: keyPath] != $1[keyPath: keyPath] })
    }
}

extension Array {
    /// Refuses a change to any flag fixed once a run has started, naming them all.
    public func checkFixed<Settings>(from old: Settings, to new: Settings, procedure: String) throws where Element == SettingFlag<Settings> {
        let changed = filter { $0.fixedOnceStarted && $0.differs(old, new) }
        guard !changed.isEmpty else { return }
        let names = changed.map { "--" + $0.name }
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
        throw SettingError("\(list) \(names.count == 1 ? "is" : "are") fixed once a run has started (`\(procedure) reset` first)")
    }
}
