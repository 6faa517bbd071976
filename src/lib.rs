//! podlint: a linter for Kubernetes Pod specs.
//!
//! The pipeline: [`discover`] which files to read, [`source`] parses each into
//! span trees, [`model`] types the objects and finds their Pod specs,
//! [`engine`] runs the [`rules`], and [`report`] renders the findings;
//! [`pipeline`] strings them together for one input, and [`commands`] holds
//! one module per subcommand.

// Unsafe code only where the allocator is asked to release memory (`allocator`).
#![deny(unsafe_code)]

pub mod admission;
pub mod allocator;
pub mod baseline;
pub mod cel;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_lookup;
pub mod custom;
pub mod discover;
pub mod engine;
pub mod explain;
pub mod files;
pub mod finding;
pub mod fingerprint;
pub mod fix;
mod lsp;
pub mod model;
pub mod ordered;
pub mod pipeline;
pub mod relations;
pub mod render;
pub mod report;
pub mod roles;
pub mod rules;
pub mod size;
pub mod source;
pub mod suppress;

pub use commands::{run, EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE};
pub use pipeline::{lint_bytes, DEFAULT_MAX_FILE_SIZE};

/// The language server on bytes instead of standard input and output:
/// what it writes back to `input`. The fuzz target feeds it arbitrary bytes.
pub fn lsp_session(input: Vec<u8>) -> Vec<u8> {
    lsp::session(std::io::Cursor::new(input), Vec::new()).1
}
