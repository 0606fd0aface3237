// RNG.swift — one seeded, platform-independent generator for everything random in Lethe.

/// xoshiro256** seeded through SplitMix64 (Blackman & Vigna). The same seed gives the same
/// stream on every platform: initialisation, dropout, shuffles and sampling all draw from it.
public struct RNG: Sendable, Equatable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// A cached second normal deviate from Box–Muller (so `nextNormal` costs one pair per two calls).
    private var spareNormal: Double?

    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a generator from ``stateWords`` (checkpoints keep the RNG so resumed runs match).
    public init?(stateWords words: [UInt64]) {
        guard words.count == 6 else { return nil }
        state = (words[0], words[1], words[2], words[3])
        spareNormal = words[4] == 0 ? nil : Double(bitPattern: words[5])
    }

    /// The complete state: four xoshiro words, then a flag and the bits of the cached normal deviate.
    public var stateWords: [UInt64] {
        [state.0, state.1, state.2, state.3, spareNormal == nil ? 0 : 1, spareNormal?.bitPattern ?? 0]
    }

    public static func == (a: RNG, b: RNG) -> Bool { a.stateWords == b.stateWords && a.spareNormal == b.spareNormal }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RNG.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = RNG.rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) as Float (24 random bits).
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform integer in `0..<bound` (Lemire's nearly-divisionless method, unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt: bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Standard normal (Box–Muller).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal { spareNormal = nil; return spare }
        var u = nextDouble()
        while u <= .leastNormalMagnitude { u = nextDouble() }
        let v = nextDouble()
        let radius = (-2 * _log(u)).squareRoot()
        let angle = 2 * Double.pi * v
        spareNormal = radius * _sin(angle)
        return radius * _cos(angle)
    }

    /// Fisher–Yates shuffle, deterministic given the state.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A derived generator for an independent stream (e.g. one per worker or per purpose).
    public mutating func fork() -> RNG { RNG(seed: next()) }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Foundation.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
