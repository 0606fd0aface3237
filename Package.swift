// swift-tools-version:6.0
// Lethe — a shell for studying how to make a language model forget, or refuse to learn.
import PackageDescription

let package = Package(
    name: "Lethe",
    products: [
        .executable(name: "lethe", targets: ["Lethe"]),
    ],
    targets: [
        // System libraries: a module map and a shim header each. Each is imported by one Swift file.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"]), .brew(["libedit"])]),
        .systemLibrary(name: "CMalloc"),   // glibc's <malloc.h>

        // What the CPU's instructions can run, for choosing OpenBLAS's kernels (BLAS.swift).
        .target(name: "CPUFeatures"),
        .target(name: "Autograd", dependencies: ["CBLAS", "CMalloc", "CPUFeatures"]),
        .target(name: "GPT2", dependencies: ["Autograd", "CHDF5"],
                resources: [.copy("Resources/gpt2-tokenizer")]),
        .target(name: "Procedures", dependencies: ["GPT2", "Autograd"]),
        .target(name: "CBench", dependencies: ["CBLAS"]),
        .target(name: "Shell", dependencies: ["Procedures", "GPT2", "Autograd", "CEditLine", "CBench"]),
        .executableTarget(name: "Lethe", dependencies: ["Shell"]),

        // Shared by the test targets: fresh folders, tensor comparison.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "CPUFeatures", "TestSupport"]),
        .testTarget(name: "GPT2Tests", dependencies: ["GPT2", "Autograd", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ProceduresTests", dependencies: ["Procedures", "GPT2", "Autograd", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "Procedures", "GPT2", "Autograd", "Lethe", "TestSupport"],
                    resources: [.copy("Fixtures")]),
    ]
)
