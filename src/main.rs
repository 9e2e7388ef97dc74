fn main() -> std::process::ExitCode {
    tune_allocator();
    carnet::cli::main()
}

/// Fixes glibc's two thresholds at 128 KiB, their starting values. A block of that size or
/// more then gets a mapping of its own, unmapped when freed, and free memory above that at the
/// top of the heap goes back to the system.
///
/// glibc raises both thresholds each time it unmaps a block, up to 32 MiB (mallopt(3)).
/// The manager screens keep arrays of 5 to 50 MB (owners, cards, report facts) that they drop
/// when staff leave. With raised thresholds those arrays came from the heap and stayed
/// resident once freed, so the next screen's data came on top: 150 MB resident after Session
/// cards was left, against 129 MB with fixed thresholds (16 MiB sled cache). Setting a
/// threshold turns glibc's raising off.
///
/// It also keeps every thread in one arena. The Reports worker reads the whole ledger through
/// sled when it builds the reports cache, so sled's nodes were allocated in the worker's
/// arena. Freed there when Session cards later read every card, they stayed resident, and
/// the app peaked at 152 MB instead of 128 MB.
///
/// The library forbids unsafe code, so this stays in the binary; the benchmarks do the same.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 128 * 1024;
        // SAFETY: mallopt only changes glibc's settings; it runs first, before any thread
        // exists. A refusal (return value 0) leaves glibc's defaults, which work as before.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
            libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}
