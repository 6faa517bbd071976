//! Reading an input's bytes, with the guards that keep a run from hanging on
//! a FIFO or filling memory from a device.

use crate::discover::{self, Input};
use crate::files::{self, ReadError};
use crate::size::ByteSize;

/// An input's bytes, or the message that says why it was not linted. Only
/// regular files are read: a FIFO would block, a device never end.
pub fn read(input: &Input, limit: ByteSize) -> Result<Vec<u8>, String> {
    let name = input.name();
    let read = match input {
        Input::Stdin { .. } => files::read_at_most(std::io::stdin().lock(), None, limit),
        Input::File { path, .. } => files::read(path, limit),
    };
    read.map_err(|error| match error {
        ReadError::NotRegular(kind) => {
            format!("cannot read {name}: it is {kind}, not a regular file; skipped")
        }
        ReadError::TooLarge(size) => too_large(name, size, limit),
        ReadError::Io(error) => format!("cannot read {name}: {}", discover::io_reason(&error)),
    })
}

fn too_large(name: &str, size: Option<ByteSize>, limit: ByteSize) -> String {
    let size = size.map_or(String::new(), |size| format!(" ({size})"));
    format!(
        "skipped {name}: it is larger{size} than the file-size limit of {limit}; raise the limit with --max-file-size or `max-file-size` in .podlint.yaml, or exclude the file"
    )
}
