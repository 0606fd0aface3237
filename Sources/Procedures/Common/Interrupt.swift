// Interrupt.swift — Ctrl-C stops the running command at its next safe point, not the process.
import Foundation
import Synchronization

/// A process-wide "stop requested" flag set by SIGINT. Long loops poll ``Interrupt/isRequested``
/// between steps, finish the step they are in (so the model stays consistent), and return.
public enum Interrupt {
    private static let requested = Atomic<Bool>(false)
    private static let installed = Atomic<Bool>(false)
    /// Polls left before a simulated Ctrl-C (0: none armed). Lets tests interrupt a loop mid-way.
    private static let pollsUntilRequest = Atomic<Int>(0)

    /// Installs the SIGINT handler once. A second Ctrl-C while a stop is pending still only asks.
    public static func install() {
        guard !installed.exchange(true, ordering: .relaxed) else { return }
        signal(SIGINT) { _ in Interrupt.requested.store(true, ordering: .relaxed) }
        // A parent may have started Lethe with SIGINT blocked (the mask is inherited across exec):
        // Ctrl-C must still reach it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var isRequested: Bool {
        if pollsUntilRequest.load(ordering: .relaxed) > 0,
           pollsUntilRequest.subtract(1, ordering: .relaxed).newValue == 0 {
            requested.store(true, ordering: .relaxed)
        }
        return requested.load(ordering: .relaxed)
    }

    /// Throws ``Interrupted`` with `message` when a stop was requested: one line for loops that have
    /// nothing to undo.
    public static func check(_ message: @autoclosure () -> String) throws {
        if isRequested { throw Interrupted(message()) }
    }

    /// Clears the flag (at the start of each command).
    public static func reset() { requested.store(false, ordering: .relaxed) }

    /// Sets the flag, as Ctrl-C does (tests use this to interrupt a run at a chosen step).
    public static func request() { requested.store(true, ordering: .relaxed) }

    /// Simulates Ctrl-C at the `polls`-th look at ``isRequested`` from now (tests only).
    public static func request(afterPolls polls: Int) { pollsUntilRequest.store(max(polls, 0), ordering: .relaxed) }
}

/// Thrown by long work that stopped because of Ctrl-C (after leaving everything consistent).
public struct Interrupted: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
