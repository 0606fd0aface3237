// Interrupt.swift — Ctrl-C stops the running command at its next safe point, not the process.
import Foundation
import Synchronization

/// A process-wide "stop requested" flag set by SIGINT. Long loops poll ``Interrupt/isRequested``
/// between steps, finish the step they are in (so the model stays consistent), and return.
public enum Interrupt {
    private static let requested = Atomic<Bool>(false)
    private static let installed = Atomic<Bool>(false)

    /// Installs the SIGINT handler once. A second Ctrl-C while a stop is pending still only asks.
    public static func install() {
        guard !installed.exchange(true, ordering: .relaxed) else { return }
        signal(SIGINT) { _ in Interrupt.requested.store(true, ordering: .relaxed) }
    }

    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Clears the flag (at the start of each command).
    public static func reset() { requested.store(false, ordering: .relaxed) }

    /// Sets the flag, as Ctrl-C does (tests use this to interrupt a run at a chosen step).
    public static func request() { requested.store(true, ordering: .relaxed) }
}

/// Thrown by long work that stopped because of Ctrl-C (after leaving everything consistent).
public struct Interrupted: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
