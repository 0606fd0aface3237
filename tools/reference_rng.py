#!/usr/bin/env python3
"""Independent reference for Lethe's RNG: SplitMix64 seeding + xoshiro256** (Blackman & Vigna).
Prints the first outputs for seed 0; the values are pasted into Tests/AutogradTests/RNGTests.swift."""
M = (1 << 64) - 1

def splitmix(seed):
    s = seed
    while True:
        s = (s + 0x9E3779B97F4A7C15) & M
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        yield z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def xoshiro(seed):
    g = splitmix(seed)
    s = [next(g) for _ in range(4)]
    while True:
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result

if __name__ == "__main__":
    g = xoshiro(0)
    print([next(g) for _ in range(3)])
