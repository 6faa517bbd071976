//! DESIGN.md's quality bars: the same input gives byte-identical output at
//! any `--jobs`, and podlint never writes to the files it lints. Both run on
//! `fixtures/` always and on a sample of the real-world corpus in
//! `../shared/corpus` when it is there (it is not in CI's fresh clone): one
//! file in eight, which keeps the test under 20 s on the debug binary.

mod bin;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const FORMATS: [&str; 5] = ["human", "json", "sarif", "github", "compact"];

/// One corpus file in this many is linted.
const CORPUS_SAMPLE: usize = 8;

/// The folders to lint: the fixtures, and a sample of the corpus when
/// present (held in the returned temporary folder).
fn inputs(test: &str) -> (Vec<PathBuf>, Option<tempfile::TempDir>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = vec![root.join("fixtures")];
    let Some(corpus) = bin::shared_corpus(&format!("determinism::{test} on the corpus")) else {
        return (inputs, None);
    };
    let sample = tempfile::TempDir::new().expect("temp dir");
    for path in regular_files(&corpus).iter().step_by(CORPUS_SAMPLE) {
        let relative = path.strip_prefix(&corpus).expect("below the corpus");
        let target = sample.path().join(relative);
        std::fs::create_dir_all(target.parent().expect("a folder")).expect("create folder");
        std::fs::copy(path, target).expect("copy");
    }
    inputs.push(sample.path().to_path_buf());
    (inputs, Some(sample))
}

/// stdout of one run and its exit code. The human summary shows no time
/// when piped, so that the bytes compare.
fn output(dir: &Path, format: &str, jobs: &str) -> (Option<i32>, Vec<u8>) {
    let output = bin::podlint(dir)
        .args(["--format", format, "--jobs", jobs, "."])
        .output()
        .expect("podlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code(), output.stdout)
}

#[test]
fn one_job_and_eight_jobs_give_byte_identical_output_in_every_format() {
    let (dirs, _sample) =
        inputs("one_job_and_eight_jobs_give_byte_identical_output_in_every_format");
    for dir in dirs {
        for format in FORMATS {
            let (code_1, one) = output(&dir, format, "1");
            let (code_8, eight) = output(&dir, format, "8");
            assert_eq!(code_1, code_8, "{format} on {}", dir.display());
            assert!(
                one == eight,
                "--format {format} differs between --jobs 1 and --jobs 8 on {}",
                dir.display()
            );
            // Something was linted: the comparison is not of two empty outputs.
            assert!(one.len() > 1000, "{format}: {} bytes", one.len());
        }
    }
}

/// The regular files under `dir`, sorted.
fn regular_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let entry = entry.expect("folder entry");
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

/// Every file under `dir` with its contents and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("folder entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                folders.push(path);
            } else {
                let contents = std::fs::read(&path).expect("read file");
                let modified = meta.modified().expect("modification time");
                files.insert(path, (contents, modified));
            }
        }
    }
    files
}

/// Copies `from` into `to`, every file's modification time set to one old
/// instant, so that any write would show in the time as well as in the bytes.
fn copy_tree(from: &Path, to: &Path) {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
            let file = std::fs::File::options()
                .write(true)
                .open(&target)
                .expect("open copy");
            file.set_modified(old).expect("set modification time");
        }
    }
}

#[test]
fn no_format_writes_to_the_linted_files() {
    let copy = tempfile::TempDir::new().expect("temp dir");
    let (dirs, _sample) = inputs("no_format_writes_to_the_linted_files");
    for (index, dir) in dirs.iter().enumerate() {
        copy_tree(dir, &copy.path().join(index.to_string()));
    }
    let before = snapshot(copy.path());
    assert!(before.len() > 50, "{} files copied", before.len());
    for format in FORMATS {
        let (code, stdout) = output(copy.path(), format, "8");
        assert_eq!(
            code,
            Some(1),
            "--format {format}: the fixtures have findings"
        );
        assert!(!stdout.is_empty());
    }
    let after = snapshot(copy.path());
    assert_eq!(before.len(), after.len(), "files appeared or went");
    for (path, (contents, modified)) in &before {
        let (now, modified_now) = &after[path];
        assert!(now == contents, "{} changed", path.display());
        assert_eq!(modified, modified_now, "{} was written", path.display());
    }
}
