//! Which files to read: files named on the command line always, and under
//! folders the YAML/JSON files outside hidden and vendored folders.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// One input to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// `name`: how findings name the file ([`display_name`]), when that is
    /// not its path as written (`./a.yaml`, a name that is not UTF-8). A run
    /// keeps every input until it is over: most keep one string, not two.
    File {
        path: PathBuf,
        name: Option<Box<str>>,
    },
    Stdin {
        name: String,
    },
}

impl Input {
    /// The file at `path`, named as findings name it.
    pub fn file(path: &Path) -> Input {
        let name = display_name(path);
        Input::File {
            name: (path.to_str() != Some(name.as_str())).then(|| name.into()),
            path: path.to_path_buf(),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Input::File {
                name: Some(name), ..
            } => name,
            // Only a path that is its own name has none (see `file`).
            Input::File { path, name: None } => path.to_str().unwrap_or_default(),
            Input::Stdin { name } => name,
        }
    }
}

/// Inputs sort by name: the order of the report.
impl Ord for Input {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn key(input: &Input) -> (u8, &str, Option<&PathBuf>) {
            match input {
                Input::File { path, .. } => (0, input.name(), Some(path)),
                Input::Stdin { name } => (1, name, None),
            }
        }
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Input {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

pub struct Discovered {
    /// Sorted by name, without duplicates: the output order.
    pub inputs: Vec<Input>,
    /// Helm charts to render, sorted by name, without duplicates; their
    /// files are not in `inputs`.
    pub charts: Vec<ChartInput>,
    /// Why paths could not be read, one message each.
    pub errors: Vec<String>,
}

/// A folder with `Chart.yaml`: met in a walk, named, or the chart of a file
/// named inside it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChartInput {
    /// The folder as findings name it.
    pub name: String,
    pub dir: PathBuf,
    /// Named on the command line (itself or a file in it), not found in a
    /// walk: `--values` and `--set` apply to it.
    pub named: bool,
}

const CHART_FILE: &str = "Chart.yaml";

const SKIPPED_FOLDERS: &[&str] = &["node_modules", "vendor"];
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// `excluded` says which paths found in folders to skip (with everything
/// below them); files named in `paths` are always read.
pub fn discover(
    paths: &[String],
    stdin_name: Option<&str>,
    excluded: &mut dyn FnMut(&Path) -> bool,
) -> Discovered {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut charts = Vec::new();
    for given in paths {
        if given == "-" {
            inputs.push(Input::Stdin {
                name: stdin_name.unwrap_or("<stdin>").to_string(),
            });
            continue;
        }
        let path = Path::new(given);
        match std::fs::metadata(path) {
            Err(error) => errors.push(format!("cannot read {given}: {}", io_reason(&error))),
            Ok(meta) if meta.is_dir() => match chart_of(path) {
                Some(dir) => charts.push(chart(&dir, true)),
                None => walk(path, excluded, &mut inputs, &mut charts, &mut errors),
            },
            Ok(_) => match chart_of(path) {
                Some(dir) => charts.push(chart(&dir, true)),
                None => inputs.push(Input::file(path)),
            },
        }
    }
    inputs.sort();
    inputs.dedup();
    // One file given twice (`a/m.yaml ./a/m.yaml`, a file and its folder,
    // a link and its target) is linted and reported once, under the name
    // that sorts first.
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|input| match input {
        Input::File { path, .. } => file_identity(path).is_none_or(|id| seen.insert(id)),
        Input::Stdin { .. } => true,
    });
    charts.sort();
    // A chart both named and met in a walk is named.
    charts.dedup_by(|later, earlier| {
        let same = later.name == earlier.name;
        earlier.named |= same && later.named;
        same
    });
    Discovered {
        inputs,
        charts,
        errors,
    }
}

/// The files of folders (and files) that a run reads for their definitions
/// only (`--crds`, a chart's `crds/` folder): walked as folders are, but a
/// folder inside a chart is not the chart.
pub fn definition_files(paths: &[String]) -> Discovered {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut charts = Vec::new();
    for given in paths {
        let path = Path::new(given);
        match std::fs::metadata(path) {
            Err(error) => errors.push(format!("cannot read {given}: {}", io_reason(&error))),
            Ok(meta) if meta.is_dir() => {
                walk(path, &mut |_| false, &mut inputs, &mut charts, &mut errors)
            }
            Ok(_) => inputs.push(Input::file(path)),
        }
    }
    inputs.sort();
    inputs.dedup();
    Discovered {
        inputs,
        charts: Vec::new(),
        errors,
    }
}

fn chart(dir: &Path, named: bool) -> ChartInput {
    ChartInput {
        name: display_name(dir),
        dir: dir.to_path_buf(),
        named,
    }
}

/// The chart a path belongs to: the folder itself or the nearest folder
/// above it with `Chart.yaml`, and above a subchart (`<parent>/charts/<sub>`)
/// its parent, which is what renders it.
pub fn chart_of(path: &Path) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = path
        .ancestors()
        .skip(usize::from(!path.is_dir()))
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            }
        })
        .collect();
    // A relative path may lie in a chart above the working directory.
    if path.is_relative() {
        let depth = std::env::current_dir().map_or(0, |cwd| cwd.components().count());
        let mut up = PathBuf::from("..");
        for _ in 0..depth {
            candidates.push(up.clone());
            up.push("..");
        }
    }
    let nearest = candidates
        .iter()
        .position(|dir| dir.join(CHART_FILE).is_file())?;
    let mut chart = nearest;
    // `<parent>/charts/<chart>`: the parent renders it.
    while let (Some(charts), Some(parent)) = (candidates.get(chart + 1), candidates.get(chart + 2))
    {
        let named_charts = charts
            .canonicalize()
            .ok()
            .is_some_and(|c| c.file_name().is_some_and(|n| n == "charts"));
        if named_charts && parent.join(CHART_FILE).is_file() {
            chart += 2;
        } else {
            break;
        }
    }
    Some(candidates[chart].clone())
}

fn walk(
    root: &Path,
    excluded: &mut dyn FnMut(&Path) -> bool,
    inputs: &mut Vec<Input>,
    charts: &mut Vec<ChartInput>,
    errors: &mut Vec<String>,
) {
    // Symlinks are not followed into folders (no loops); a link to a file is
    // read like the file.
    let walker = WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            // Hidden files and folders (`.git`, `.github`, `.podlint.yaml`) are
            // not manifests; named on the command line they are still read.
            let hidden = name.starts_with('.');
            let vendored = entry.file_type().is_dir() && SKIPPED_FOLDERS.contains(&name.as_ref());
            !hidden && !vendored && !excluded(entry.path())
        });
    let mut walker = walker;
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = display_name(error.path().unwrap_or(root));
                let reason = error
                    .io_error()
                    .map_or_else(|| error.to_string(), io_reason);
                errors.push(format!("cannot read {path}: {reason}"));
                continue;
            }
        };
        let path = entry.path();
        // A chart is rendered whole: its files are not linted one by one.
        if entry.file_type().is_dir() && path.join(CHART_FILE).is_file() {
            charts.push(chart(path, false));
            walker.skip_current_dir();
            continue;
        }
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e));
        if !wanted {
            continue;
        }
        // Anything else with a manifest's name is an input, so that a FIFO or
        // a device is reported as skipped instead of silently passed over.
        let is_dir = if entry.file_type().is_symlink() {
            match std::fs::metadata(path) {
                Ok(target) => target.is_dir(),
                Err(error) => {
                    errors.push(format!(
                        "cannot read {}: a symbolic link whose target cannot be read: {}",
                        display_name(path),
                        io_reason(&error)
                    ));
                    continue;
                }
            }
        } else {
            entry.file_type().is_dir()
        };
        if !is_dir {
            inputs.push(Input::file(path));
        }
    }
}

/// An I/O error's reason as a sentence part: `no such file or directory`,
/// without Rust's `(os error 2)`.
pub fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    let reason = text
        .find(" (os error")
        .map_or(text.as_str(), |at| &text[..at]);
    let mut chars = reason.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// The file a path leads to (device and inode), whatever its spelling.
#[cfg(unix)]
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .ok()
        .map(|meta| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_identity(path: &Path) -> Option<PathBuf> {
    path.canonicalize().ok()
}

/// The path as the user gave it or as found under a folder, without a
/// leading `./`. A byte that is not UTF-8 is written `\xFF`: two names
/// never show as one (U+FFFD would merge them), and SARIF's URI restores
/// the byte (see `report::sarif`).
pub fn display_name(path: &Path) -> String {
    let text = escaped_bytes(path.as_os_str());
    let mut name: &str = &text;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    if name.is_empty() {
        ".".to_string()
    } else {
        name.to_string()
    }
}

/// A name as UTF-8, with each byte that is not written `\xNN`.
fn escaped_bytes(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        if let Ok(text) = std::str::from_utf8(bytes) {
            return text.into();
        }
        let mut out = String::with_capacity(bytes.len() + 16);
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02X}"));
            }
        }
        out.into()
    }
    #[cfg(not(unix))]
    name.to_string_lossy()
}

/// What a path is when it is not a regular file or a folder: podlint never
/// opens those for reading (a FIFO blocks until a writer comes, a device
/// such as `/dev/zero` never ends).
pub fn special_kind(file_type: &std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}
