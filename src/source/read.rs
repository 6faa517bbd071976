//! Reading an input's bytes, with the guards that keep a run from hanging on
//! a FIFO or filling memory from a device.

use std::io::Read;
use std::path::Path;

use crate::discover::{self, Input};
use crate::size::ByteSize;

/// An input's bytes, or the message that says why it was not linted. Only
/// regular files are read: a FIFO would block, a device never end.
pub fn read(input: &Input, limit: ByteSize) -> Result<Vec<u8>, String> {
    let name = input.name();
    let cannot = |error: std::io::Error| format!("cannot read {name}: {error}");
    let (reader, known_size): (Box<dyn Read>, Option<u64>) = match input {
        Input::Stdin { .. } => (Box::new(std::io::stdin().lock()), None),
        Input::File { path, .. } => {
            let file = open_without_blocking(path).map_err(cannot)?;
            let meta = file.metadata().map_err(cannot)?;
            if let Some(kind) = discover::special_kind(&meta.file_type()) {
                return Err(format!(
                    "cannot read {name}: it is {kind}, not a regular file; skipped"
                ));
            }
            (Box::new(file), Some(meta.len()))
        }
    };
    if let Some(size) = known_size.filter(|&size| size > limit.0) {
        return Err(too_large(name, Some(ByteSize(size)), limit));
    }
    let mut bytes = Vec::with_capacity(known_size.unwrap_or(0) as usize);
    // A file that grows while it is read stops at the limit all the same.
    reader
        .take(limit.0.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit.0 {
        return Err(too_large(name, None, limit));
    }
    Ok(bytes)
}

fn too_large(name: &str, size: Option<ByteSize>, limit: ByteSize) -> String {
    let size = size.map_or(String::new(), |size| format!(" ({size})"));
    format!(
        "skipped {name}: it is larger{size} than the file-size limit of {limit}; raise the limit with --max-file-size or `max-file-size` in .podlint.yaml, or exclude the file"
    )
}

/// Opens for reading without waiting for a FIFO's writer (the caller then
/// refuses anything that is not a regular file).
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}
