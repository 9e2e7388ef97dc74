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
/// threshold turns glibc's raising off. The library forbids unsafe code, so this stays in the
/// binary; the check-in benchmark does the same.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 128 * 1024;
        // SAFETY: mallopt only changes glibc's settings; it runs first, before any thread
        // exists. A refusal (return value 0) leaves glibc's defaults, which work as before.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
            libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
        }
    }
}
