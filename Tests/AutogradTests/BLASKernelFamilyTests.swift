// BLASKernelFamilyTests.swift — OpenBLAS 0.3.21 gives CPUs newer than itself its SSE3 kernels
// (`Prescott`), about a tenth of the speed and other roundings than the recorded sessions'; Lethe
// then loads the family the CPU's instructions can run (BLAS.swift). The CPU's features come from
// the compiler's own `__builtin_cpu_supports`, not from Lethe's choice.
import Autograd
import CPUFeatures
import Testing

@Suite("OpenBLAS kernel family")
struct BLASKernelFamilyTests {
    @Test func openBLASUsesTheKernelsTheCPUCanRun() {
        guard let family = lethe_blas_family_for_cpu() else { return }   // a CPU without AVX2: nothing better to choose
        #expect(!Threads.numericalSetting.contains("Prescott"), "\(Threads.numericalSetting); this CPU runs \(String(cString: family))")
    }
}
