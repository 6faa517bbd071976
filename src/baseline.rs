//! Baselines: adopt podlint on a repository that already has findings by
//! recording them once (`--write-baseline`) and reporting only new ones
//! (`--baseline`). Findings are matched by fingerprint (see
//! [`crate::fingerprint`]), which survives unrelated edits of the file; the
//! other fields are there for the people who review the file.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::files::{self, ReadError};
use crate::finding::{Finding, ObjectRef};
use crate::size::ByteSize;

const VERSION: u32 = 1;

/// The largest baseline read: about 200,000 findings.
pub const MAX_BASELINE_SIZE: ByteSize = ByteSize(64 * 1024 * 1024);

#[derive(Serialize)]
struct Entry<'a> {
    rule: &'a str,
    file: &'a str,
    object: Option<&'a ObjectRef>,
    container: Option<&'a str>,
    message: &'a str,
    fingerprint: &'a str,
}

/// What reading needs; other fields (and new ones) are ignored.
#[derive(Deserialize)]
struct Read {
    version: u32,
    findings: Vec<ReadEntry>,
}

#[derive(Deserialize)]
struct ReadEntry {
    fingerprint: String,
}

/// The fingerprints recorded in a baseline file.
pub fn load(path: &Path) -> Result<HashSet<String>, String> {
    let shown = path.display();
    let bytes = files::read(path, MAX_BASELINE_SIZE).map_err(|error| match error {
        ReadError::TooLarge(_) => format!(
            "cannot read baseline {shown}: it is larger than {MAX_BASELINE_SIZE}, the limit for baselines"
        ),
        error => format!("cannot read baseline {shown}: {error}"),
    })?;
    let read: Read = serde_json::from_slice(&bytes)
        .map_err(|e| format!("baseline {shown} is not a podlint baseline: {e}"))?;
    if read.version != VERSION {
        return Err(format!(
            "baseline {shown} has version {}; this podlint reads version {VERSION}",
            read.version
        ));
    }
    Ok(read.findings.into_iter().map(|e| e.fingerprint).collect())
}

/// Everything before the first entry of a baseline file.
pub fn head() -> String {
    format!("{{\n  \"version\": {VERSION},\n  \"findings\": [")
}
/// Everything after the `findings` array.
pub const TAIL: &str = "\n}\n";

/// One file's findings with their fingerprints as entries of the `findings`
/// array (without the separator before the first). `file` is the path as CI
/// tools name it.
pub fn entries(findings: &[Finding], file: &str, fingerprints: &[String]) -> String {
    let entries = findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| Entry {
            rule: f.rule,
            file,
            object: f.object.as_deref(),
            container: f.container.as_deref(),
            message: &f.message,
            fingerprint,
        });
    crate::report::pretty_items(entries, 2)
}
