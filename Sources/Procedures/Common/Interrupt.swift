// Interrupt.swift — Ctrl-C stops the running command at its next safe point, not the process.
import Foundation
import Synchronization

/// A process-wide "stop requested" flag set by SIGINT. Long loops poll ``Interrupt/isRequested``
/// between steps, finish the step they are in (so the model stays consistent), and return.
public enum Interrupt {
    private static let requested = Atomic<Bool>(false)
    private static let installed = Atomic<Bool>(false)
    /// A simulated Ctrl-C (tests) belongs to the thread that armed it, so tests running side by side
    /// never stop each other's commands: polls left before it fires, and whether it has fired.
    private static let pollsKey = "lethe.interrupt.pollsUntilRequest", simulatedKey = "lethe.interrupt.simulated"

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
        let local = Thread.current.threadDictionary
        if let polls = local[pollsKey] as? Int, polls > 0 {
            local[pollsKey] = polls - 1
            if polls == 1 { local[simulatedKey] = true }
        }
        return requested.load(ordering: .relaxed) || (local[simulatedKey] as? Bool ?? false)
    }

    /// Throws ``Interrupted`` with `message` when a stop was requested: one line for loops that have
    /// nothing to undo.
    public static func check(_ message: @autoclosure () -> String) throws {
        if isRequested { throw Interrupted(message()) }
    }

    /// Clears the flag (at the start of each command), and this thread's simulated one.
    public static func reset() {
        requested.store(false, ordering: .relaxed)
        Thread.current.threadDictionary[simulatedKey] = false
    }

    /// Sets the flag, as Ctrl-C does (tests use this to interrupt a run at a chosen step).
    public static func request() { requested.store(true, ordering: .relaxed) }

    /// Simulates Ctrl-C at the `polls`-th look at ``isRequested`` from now on this thread (tests
    /// only); 0 disarms it.
    public static func request(afterPolls polls: Int) {
        Thread.current.threadDictionary[pollsKey] = max(polls, 0)
        if polls <= 0 { Thread.current.threadDictionary[simulatedKey] = false }
    }
}

/// Thrown by long work that stopped because of Ctrl-C (after leaving everything consistent).
public struct Interrupted: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
