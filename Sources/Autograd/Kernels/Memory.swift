// Memory.swift — how the C allocator treats the large arrays every op allocates.
import CMalloc

public enum Memory {
    /// Keeps freed memory in the process instead of handing it back to the kernel.
    ///
    /// Every op allocates its output afresh (`[Float](repeating: 0, count: n)`), and a training
    /// step of GPT-2 124M allocates and frees gigabytes. By default glibc serves each array of
    /// 128 KiB–32 MiB with its own `mmap` and unmaps it on free, so the next array of that size is
    /// page-faulted and zeroed by the kernel again: measured, 9% of a training step went to page
    /// faults. Serving them from the heap and never trimming it makes the freed pages reusable
    /// (the resident size stays at its peak, which a long-lived shell reaches anyway).
    /// Call once at start-up; returns whether glibc accepted both settings.
    @discardableResult
    public static func retainFreedPages() -> Bool {
        let mmapSet = mallopt(M_MMAP_THRESHOLD, 1 << 30)   // arrays under 1 GiB come from the heap
        let trimSet = mallopt(M_TRIM_THRESHOLD, Int32.max)  // and freed ones stay there
        return mmapSet == 1 && trimSet == 1
    }
}
