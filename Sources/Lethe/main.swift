// main.swift — the `lethe` executable: everything lives in the Shell module.
import Foundation
import Shell

exit(LetheMain.run(Array(CommandLine.arguments.dropFirst())))
