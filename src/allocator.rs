//! What podlint asks of the C allocator. Its settings are made when the
//! process starts (`main.rs`); this is what the library asks during a run.

/// Gives the freed memory of every arena back to the system. glibc keeps
/// freed memory for the arena that freed it, and an arena serves only the
/// threads it is bound to: once the files are linted, what the workers'
/// trees left free is of no use to the thread that runs the relation
/// rules, yet counts in the process's memory until it ends (about 10 MiB
/// of the 10x corpus's peak).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_free_memory() {
    // SAFETY: malloc_trim only returns pages that no allocation uses; it
    // may be called at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() {}
