// SettingFlagParsing.swift — a procedure's declared settings flags as a command's flags, and
// applied to its settings: every `config` command parses the same way.
import Procedures

extension Array {
    /// The command-line flags of these settings.
    func flagInfos<Settings>() -> [FlagInfo] where Element == SettingFlag<Settings> {
        map { FlagInfo($0.name, value: $0.value, $0.help) }
    }

    /// Applies every given flag, in declaration order; a value that does not fit names the command and the flag.
    func apply<Settings>(_ arguments: Arguments, to settings: inout Settings) throws where Element == SettingFlag<Settings> {
        for flag in self where arguments.has(flag.name) {
            do { try flag.apply(&settings, flag.value == nil ? nil : arguments.string(flag.name)) }
            catch let error as SettingError { throw UsageError("\(arguments.command): \(error.description)") }
        }
    }
}
