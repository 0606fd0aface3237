// HelpCommand.swift — `help` and `help CMD`, generated from each command's metadata.
import Procedures

enum HelpCommand: Command {
    static let info = CommandInfo(
        name: "help", abstract: "List commands, or show one command's usage, flags and examples.",
        arguments: "[COMMAND]", examples: ["help", "help generate", "help load model"])

    static func run(_ arguments: Arguments, _ context: CommandContext) throws {
        if arguments.positionals.isEmpty {
            let width = CommandRegistry.all.map { $0.info.name.count }.max() ?? 10
            context.print("Commands (help COMMAND for details):")
            for command in CommandRegistry.all {
                let name = command.info.name
                context.print("  " + name + String(repeating: " ", count: width - name.count + 2) + command.info.abstract)
            }
            context.print("Session: ## HEADING, " + MetaCommand.all.map(\.usage).joined(separator: ", ") + "; COMMAND? for help; a trailing \\ continues a line")
            context.set("commands", .array(CommandRegistry.all.map { .string($0.info.name) }))
            return
        }
        guard let found = CommandRegistry.find(arguments.positionals) else {
            // `help elm`: a group word lists the group's commands rather than failing.
            let group = CommandRegistry.all.filter { $0.info.words.count > 1 && $0.info.words.first == arguments.positionals.first }
            guard arguments.positionals.count == 1, !group.isEmpty else {
                throw UsageError("help: no command '\(arguments.positionals.joined(separator: " "))' (type help for the list)")
            }
            let width = group.map { $0.info.name.count }.max() ?? 10
            for command in group {
                context.print("  " + command.info.name + String(repeating: " ", count: width - command.info.name.count + 2) + command.info.abstract)
            }
            context.set("commands", .array(group.map { .string($0.info.name) }))
            return
        }
        let info = found.command.info
        context.print("\(info.name) — \(info.abstract)")
        context.print("usage: \(info.usage)")
        if let discussion = info.discussion { context.print(discussion) }
        if !info.allFlags.isEmpty {
            context.print("flags:")
            for flag in info.allFlags {
                let head = "--\(flag.name)" + (flag.value.map { " \($0)" } ?? "")
                context.print("  " + head.padding(toLength: max(head.count, 22), withPad: " ", startingAt: 0) + "  " + flag.help)
            }
        }
        if !info.examples.isEmpty {
            context.print("examples:")
            for e in info.examples { context.print("  " + e) }
        }
        context.set("name", .string(info.name))
        context.set("usage", .string(info.usage))
    }
}
