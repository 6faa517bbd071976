//! Reading a file that a user named or a repository holds, whatever it is:
//! only regular files are opened for reading (a FIFO would block, a device
//! never end), and never more than a limit is read.

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::size::ByteSize;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, a device, a folder...: what it is.
    NotRegular(&'static str),
    /// Larger than the limit: its size, when known before reading.
    TooLarge(Option<ByteSize>),
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::TooLarge(Some(size)) => write!(f, "it is larger ({size}) than the limit"),
            ReadError::TooLarge(None) => f.write_str("it is larger than the limit"),
            ReadError::Io(error) => write!(f, "{error}"),
        }
    }
}

/// The bytes of a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: ByteSize) -> Result<Vec<u8>, ReadError> {
    let file = open_without_blocking(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = crate::discover::special_kind(&meta.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    read_at_most(file, Some(meta.len()), limit)
}

/// At most `limit` bytes of a stream; `known_size` (a file's length) lets a
/// file over the limit be refused before it is read.
pub fn read_at_most(
    reader: impl Read,
    known_size: Option<u64>,
    limit: ByteSize,
) -> Result<Vec<u8>, ReadError> {
    if let Some(size) = known_size.filter(|&size| size > limit.0) {
        return Err(ReadError::TooLarge(Some(ByteSize(size))));
    }
    let capacity = known_size.map_or(0, |size| usize::try_from(size).unwrap_or(0));
    let mut bytes = Vec::with_capacity(capacity);
    // A file that grows while it is read stops at the limit all the same.
    reader
        .take(limit.0.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit.0 {
        return Err(ReadError::TooLarge(None));
    }
    Ok(bytes)
}

/// Opens for reading without waiting for a FIFO's writer (the caller then
/// refuses anything that is not a regular file).
#[cfg(unix)]
pub fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
pub fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}
