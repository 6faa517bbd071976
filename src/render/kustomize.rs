//! Building a kustomization root with a real `kustomize build` or `kubectl
//! kustomize`, through a wrapper kustomization in a temporary folder that
//! asks for origin annotations (the user's tree is never written to).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::kustomization::{self, normalize, FILE_NAMES};
use crate::source::{self, Node};

/// The annotations the wrapper asks for; removed before the objects are linted.
const ORIGIN: &str = "config.kubernetes.io/origin";
const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// A `kustomize` or `kubectl` executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    pub path: PathBuf,
    /// `kubectl kustomize DIR` rather than `kustomize build DIR`.
    pub kubectl: bool,
}

impl Binary {
    /// `--kustomize PATH`, else the config's `kustomize.binary`, else
    /// `kustomize` then `kubectl` on `PATH`.
    pub fn find(flag: Option<&Path>, configured: Option<&Path>) -> Result<Binary, String> {
        if let Some(path) = flag.or(configured) {
            let resolved = if path.components().count() == 1 {
                on_path(&path.to_string_lossy())
            } else {
                Some(path.to_path_buf()).filter(|p| p.is_file())
            };
            return match resolved {
                Some(found) => Ok(Binary::named(found)),
                None => Err(format!(
                    "kustomize binary `{}` not found; install kustomize or kubectl, or point \
                     podlint at one with --kustomize PATH or `kustomize: binary:` in .podlint.yaml",
                    path.display()
                )),
            };
        }
        on_path("kustomize")
            .or_else(|| on_path("kubectl"))
            .map(Binary::named)
            .ok_or_else(|| {
                "kustomizations found, but neither `kustomize` nor `kubectl` is on PATH; install \
                 one (https://kubectl.docs.kubernetes.io/installation/kustomize/), or point \
                 podlint at one with --kustomize PATH or `kustomize: binary:` in .podlint.yaml"
                    .to_string()
            })
    }

    /// `kustomize build DIR` or `kubectl kustomize DIR`.
    fn build_command(&self, dir: &Path, helm: bool) -> Command {
        let mut command = Command::new(&self.path);
        command.arg(if self.kubectl { "kustomize" } else { "build" });
        command.arg(dir);
        if helm {
            command.arg("--enable-helm");
        }
        command
    }

    fn named(path: PathBuf) -> Binary {
        let kubectl = path
            .file_stem()
            .is_some_and(|stem| stem.to_string_lossy().starts_with("kubectl"));
        Binary { path, kubectl }
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Where a built object came from, as kustomize says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A resource file, absolute.
    File(PathBuf),
    /// Made by a generator (`ConfigMapGenerator`, `HelmChartInflationGenerator`...)
    /// declared in this kustomization file, absolute.
    Generated {
        kustomization: PathBuf,
        by: String,
    },
    Unknown,
}

/// A root built: the objects as YAML text (without the origin annotations),
/// and the origin of each document, in order.
#[derive(Debug)]
pub struct Build {
    pub text: String,
    pub origins: Vec<Origin>,
}

/// Why a build failed: kustomize's message, and the kustomization folder it
/// was reading with the entry it names, when it says.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// Absolute folder of the kustomization kustomize was reading.
    pub dir: Option<PathBuf>,
    /// A resource entry kustomize could not read, as written.
    pub entry: Option<String>,
    /// A patch that matched nothing: `Kind` and `name`.
    pub unmatched_patch: Option<(String, String)>,
    /// A JSON 6902 operation path that failed.
    pub failed_op_path: Option<String>,
}

/// A build that the machine or the tools stopped, not the files: said as
/// such, at warning (`render-failed`'s doc).
#[derive(Debug, PartialEq, Eq)]
pub struct Blocked {
    pub reason: &'static str,
    pub help: &'static str,
}

impl Blocked {
    /// What stopped a build, from kustomize's message; `None`: the files.
    pub fn of(message: &str) -> Option<Blocked> {
        const OFFLINE: &[&str] = &[
            "no such host",
            "Could not resolve host",
            "network is unreachable",
            "connection refused",
            "i/o timeout",
            "TLS handshake timeout",
        ];
        let remote = message.contains("accumulating resources from 'http")
            || message.contains("git fetch")
            || message.contains("git clone");
        if remote && OFFLINE.iter().any(|o| message.contains(o)) {
            return Some(Blocked {
                reason: "a remote resource cannot be fetched: the network is not reachable from here",
                help: "run podlint where the network is reachable, or copy the remote base into the repository",
            });
        }
        if message.contains("helm version -c") {
            return Some(Blocked {
                reason: "its `helmCharts` need helm 3: kustomize runs `helm version -c`, which helm 4 removed",
                help: "put a helm 3 binary first on PATH for podlint's kustomize builds",
            });
        }
        if message.contains("external plugins disabled") {
            return Some(Blocked {
                reason: "it runs a kustomize plugin, which needs `--enable-alpha-plugins`; podlint does not run plugins (they run code)",
                help: "lint the plugin's output instead: `kustomize build --enable-alpha-plugins` on this folder, piped to `podlint check -`",
            });
        }
        None
    }
}

/// Builds `root` (an absolute folder). `helm`: whether a kustomization of
/// the root inflates charts.
pub fn build(binary: &Binary, root: &Path, helm: bool) -> Result<Build, Box<Failure>> {
    let wrapper = Wrapper::create(root)
        .map_err(|e| failure(format!("cannot build {}: {e}", root.display())))?;
    let output = run(binary.build_command(&wrapper.dir, helm), BUILD_TIMEOUT)
        .map_err(|e| failure(format!("cannot run {}: {e}", binary.path.display())))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr = named_as_root(&stderr, &wrapper.dir, &wrapper.relative_root, root);
        return Err(Box::new(parse_failure(&stderr)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(strip_annotations(&text, &wrapper.dir))
}

/// Builds `root` as it is, without the wrapper and its annotations (the
/// same objects, several times faster on trees with many patches): the
/// built text, or `None` when it fails (the wrapped build then says why).
pub fn build_plain(binary: &Binary, root: &Path) -> Option<String> {
    let output = run(binary.build_command(root, false), BUILD_TIMEOUT).ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A build that takes longer (a remote base that never answers) fails.
const BUILD_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs a command to its end, or kills it after `timeout`.
fn run(mut command: Command, timeout: Duration) -> std::io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(std::io::Error::other("no pipes to the child"));
    };
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).map(|_| bytes)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > timeout {
            // The pipes close with it, which ends the readers.
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other(format!(
                "it did not finish within {} s",
                timeout.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let joined = |handle: std::thread::JoinHandle<std::io::Result<Vec<u8>>>| {
        handle
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("reader failed")))
    };
    Ok(Output {
        status,
        stdout: joined(out)?,
        stderr: joined(err)?,
    })
}

fn failure(message: String) -> Box<Failure> {
    Box::new(Failure {
        message,
        dir: None,
        entry: None,
        unmatched_patch: None,
        failed_op_path: None,
    })
}

/// A temporary folder with a kustomization that includes the root and asks
/// for origin annotations; removed when dropped.
struct Wrapper {
    dir: PathBuf,
    /// The root as the wrapper names it.
    relative_root: String,
}

static WRAPPERS: AtomicUsize = AtomicUsize::new(0);

impl Wrapper {
    fn create(root: &Path) -> std::io::Result<Wrapper> {
        let base = std::env::temp_dir().canonicalize()?;
        let dir = loop {
            let n = WRAPPERS.fetch_add(1, Ordering::Relaxed);
            let dir = base.join(format!("podlint-kustomize-{}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => break dir,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        };
        // kustomize refuses absolute resource paths: the root is named
        // relative to the wrapper.
        let up = "../".repeat(dir.components().count().saturating_sub(1));
        let root = root.to_string_lossy();
        let relative_root = format!("{up}{}", root.trim_start_matches('/'));
        let wrapper = Wrapper { dir, relative_root };
        let text = format!(
            "resources:\n- {}\nbuildMetadata: [originAnnotations]\n",
            serde_json::Value::String(wrapper.relative_root.clone())
        );
        std::fs::write(wrapper.dir.join(FILE_NAMES[0]), text)?;
        Ok(wrapper)
    }
}

/// `message` with the wrapper's paths named as the user's: the root as
/// the wrapper names it (`../../home/me/app`), and the wrapper folder
/// however it is written (under another name of the temporary folder too)
/// as the root, its kustomization file as the root's.
fn named_as_root(message: &str, wrapper: &Path, relative_root: &str, root: &Path) -> String {
    let message = message.replace(relative_root, &root.to_string_lossy());
    let Some(folder) = wrapper.file_name().map(|n| n.to_string_lossy()) else {
        return message;
    };
    let kustomization = kustomization::file_in(root).unwrap_or_else(|| root.join(FILE_NAMES[0]));
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(at) = rest.find(&*folder) {
        let after = &rest[at + folder.len()..];
        // `podlint-kustomize-1-2` is not `podlint-kustomize-1-23`.
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(&rest[..at + folder.len()]);
            rest = after;
            continue;
        }
        // The path starts where the word does: `'/tmp/podlint-...`.
        let start = rest[..at]
            .rfind(|c: char| c.is_whitespace() || "'\"`=([{,".contains(c))
            .map_or(0, |i| i + 1);
        out.push_str(&rest[..start]);
        match after
            .strip_prefix('/')
            .and_then(|a| a.strip_prefix(FILE_NAMES[0]))
        {
            Some(beyond) => {
                out.push_str(&kustomization.to_string_lossy());
                rest = beyond;
            }
            None => {
                out.push_str(&root.to_string_lossy());
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Drop for Wrapper {
    fn drop(&mut self) {
        // A leftover temporary folder is harmless; nothing to report.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The built text without the annotations podlint asked for (an
/// `annotations:` left empty goes too), and each document's origin.
fn strip_annotations(text: &str, wrapper: &Path) -> Build {
    let mut out = String::with_capacity(text.len());
    let mut origins = Vec::new();
    let mut origin = Origin::Unknown;
    let mut lines = text.split_inclusive('\n').peekable();
    // An `annotations:` line is held back until a line under it is kept.
    let mut pending_annotations: Option<(&str, usize)> = None;
    let mut documents = 0;
    while let Some(line) = lines.next() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim();
        if line.starts_with("---") {
            pending_annotations = None;
            if documents > 0 {
                origins.push(std::mem::replace(&mut origin, Origin::Unknown));
            }
            out.push_str(line);
            continue;
        }
        if documents == 0 && !trimmed.is_empty() {
            documents = 1;
        }
        let key = trimmed.split_once(':').map(|(k, _)| k);
        if matches!(key, Some(ORIGIN | TRANSFORMATIONS)) {
            let mut block = String::new();
            while let Some(next) = lines.peek() {
                let next_indent = next.len() - next.trim_start_matches(' ').len();
                if next.trim().is_empty() || next_indent > indent {
                    block.push_str(next.get(indent + 2..).unwrap_or("\n"));
                    lines.next();
                } else {
                    break;
                }
            }
            if key == Some(ORIGIN) {
                origin = parse_origin(&block, wrapper);
            }
            continue;
        }
        if let Some((held, held_indent)) = pending_annotations.take() {
            if indent > held_indent {
                out.push_str(held);
            }
        }
        if trimmed == "annotations:" {
            pending_annotations = Some((line, indent));
            continue;
        }
        out.push_str(line);
    }
    if documents > 0 {
        origins.push(origin);
    }
    Build { text: out, origins }
}

fn parse_origin(block: &str, wrapper: &Path) -> Origin {
    let parsed = source::parse(block);
    let Some(root) = parsed.documents.first().map(|d| &d.root) else {
        return Origin::Unknown;
    };
    let absolute = |written: &str| normalize(&wrapper.join(written));
    if let Some(path) = root.get("path").and_then(Node::as_str) {
        // A resource from a remote base names its repository: not a local file.
        if root.get("repo").is_some() {
            return Origin::Unknown;
        }
        return Origin::File(absolute(path));
    }
    match (
        root.get("configuredIn").and_then(Node::as_str),
        root.get("configuredBy")
            .and_then(|by| by.get("kind"))
            .and_then(Node::as_str),
    ) {
        (Some(file), Some(by)) => Origin::Generated {
            kustomization: absolute(file),
            by: by.to_string(),
        },
        _ => Origin::Unknown,
    }
}

/// What kustomize's error says: the innermost kustomization it was reading
/// (`recursed accumulation of path '...'`), the resource it could not read,
/// the patch that matched nothing, or the JSON 6902 operation that failed.
fn parse_failure(stderr: &str) -> Failure {
    let unwrapped = without_run_specific_names(&without_klog_header(stderr.trim()));
    let text = unwrapped.as_str();
    let text = text
        .strip_prefix("Error: ")
        .or_else(|| text.strip_prefix("error: "))
        .unwrap_or(text);
    const RECURSED: &str = "recursed accumulation of path '";
    let (dir, message) = match text.rfind(RECURSED) {
        Some(at) => {
            let rest = &text[at + RECURSED.len()..];
            match rest.split_once("': ") {
                Some((dir, message)) => (Some(PathBuf::from(dir)), message),
                None => (None, text),
            }
        }
        None => (None, text),
    };
    let entry = between(message, "accumulating resources from '", "'").map(str::to_string);
    let unmatched_patch = between(
        message,
        "no resource matches strategic merge patch \"",
        "\"",
    )
    .and_then(|id| {
        // `Deployment.v1.apps/web.[noNs]`: a namespace has no dots, a name may.
        let (gvk, rest) = id.split_once('/')?;
        let kind = gvk.split('.').next()?;
        let (name, _namespace) = rest.rsplit_once('.')?;
        Some((kind.to_string(), name.to_string()))
    });
    let failed_op_path = between(message, " for path: '", "'").map(str::to_string);
    let message = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Failure {
        message,
        dir,
        entry,
        unmatched_patch,
        failed_op_path,
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    rest.find(end).map(|to| &rest[..to])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_stopped_a_build_is_read_from_kustomizes_message() {
        let offline = "accumulating resources: accumulation err='accumulating resources from 'https://github.com/kyverno/policies/pod-security-vpol/baseline': Get \"https://github.com/kyverno/policies/pod-security-vpol/baseline\": dial tcp: lookup github.com on 10.255.255.53:53: no such host': failed to run '/usr/local/bin/git fetch --depth=1 https://github.com/kyverno/policies HEAD': fatal: unable to access 'https://github.com/kyverno/policies/': Could not resolve host: github.com; : exit status 128";
        let helm4 = "Error: unknown shorthand flag: 'c' in -c; : unable to run: 'helm version -c --short' with env=[HELM_CONFIG_HOME=/tmp/kustomize-helm-1/helm] (is 'helm' installed?): exit status 1";
        let plugin = "loading generator plugins: failed to load generator: external plugins disabled; unable to load external plugin 'Nginx'";
        let reason = |message: &str| Blocked::of(message).map(|b| b.reason);
        assert_eq!(
            reason(offline),
            Some("a remote resource cannot be fetched: the network is not reachable from here")
        );
        assert_eq!(
            reason(helm4),
            Some("its `helmCharts` need helm 3: kustomize runs `helm version -c`, which helm 4 removed")
        );
        assert!(reason(plugin).is_some_and(|r| r.contains("--enable-alpha-plugins")));
        // The files' faults stay theirs: a missing file, a remote base that
        // does not exist (the network answered).
        assert_eq!(reason("accumulating resources: accumulation err='accumulating resources from 'gone.yaml': open /r/gone.yaml: no such file or directory'"), None);
        assert_eq!(reason("accumulating resources from 'https://github.com/x/y': fatal: repository 'https://github.com/x/y/' not found"), None);
    }

    #[test]
    fn strips_the_annotations_and_reads_the_origins() {
        let built = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    alpha.config.kubernetes.io/transformations: |\n      - configuredIn: ../p/kustomization.yaml\n        configuredBy:\n          kind: PatchTransformer\n    config.kubernetes.io/origin: |\n      configuredIn: ../base/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n  name: cfg\n---\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../base/svc.yaml\n    podlint.io/ignore: x\n  name: web\n";
        let build = strip_annotations(built, Path::new("/tmp/w"));
        assert_eq!(
            build.text,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n---\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    podlint.io/ignore: x\n  name: web\n"
        );
        assert_eq!(
            build.origins,
            [
                Origin::Generated {
                    kustomization: PathBuf::from("/tmp/base/kustomization.yaml"),
                    by: "ConfigMapGenerator".into()
                },
                Origin::File(PathBuf::from("/tmp/base/svc.yaml")),
            ]
        );
    }

    #[test]
    fn reads_what_kustomize_errors_name() {
        let missing = parse_failure("error: accumulating resources: accumulation err='accumulating resources from '../bad1': '/t/bad1' must resolve to a file': recursed accumulation of path '/t/bad1': accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on '/t/bad1/missing.yaml' : lstat /t/bad1/missing.yaml: no such file or directory': must build at directory: not a valid directory\n");
        assert_eq!(missing.dir, Some(PathBuf::from("/t/bad1")));
        assert_eq!(missing.entry.as_deref(), Some("missing.yaml"));
        assert!(missing.message.starts_with(
            "accumulating resources: accumulation err='accumulating resources from 'missing.yaml'"
        ));

        let patch = parse_failure("error: accumulating resources: accumulation err='accumulating resources from '../bad2': '/t/bad2' must resolve to a file': recursed accumulation of path '/t/bad2': no resource matches strategic merge patch \"Deployment.v1.apps/nothere.[noNs]\": no matches for Id Deployment.v1.apps/nothere.[noNs]; failed to find unique target for patch Deployment.v1.apps/nothere.[noNs]\n");
        assert_eq!(patch.dir, Some(PathBuf::from("/t/bad2")));
        assert_eq!(patch.entry, None);
        assert_eq!(
            patch.unmatched_patch,
            Some(("Deployment".to_string(), "nothere".to_string()))
        );

        let op = parse_failure("error: accumulating resources: accumulation err='x': recursed accumulation of path '/t/bad3': error in remove for path: '/spec/x': Unable to remove nonexistent key: x: missing value\n");
        assert_eq!(op.failed_op_path.as_deref(), Some("/spec/x"));
        assert_eq!(
            op.message,
            "error in remove for path: '/spec/x': Unable to remove nonexistent key: x: missing value"
        );
    }
}

/// kubectl wraps kustomize's error in a klog line whose time and process id
/// change from run to run (`E1205 19:28:25.733817   18630 run.go:72]
/// "command failed" err="..."`): the message keeps only the error, so that
/// the same failure reads the same in every run.
fn without_klog_header(text: &str) -> String {
    let bytes = text.as_bytes();
    let klog = bytes.len() > 6
        && matches!(bytes[0], b'E' | b'W' | b'I' | b'F')
        && bytes[1..5].iter().all(u8::is_ascii_digit)
        && bytes[5] == b' ';
    let Some(rest) = klog
        .then(|| text.split_once("] "))
        .flatten()
        .map(|(_, rest)| rest)
    else {
        return text.to_string();
    };
    match rest
        .strip_prefix("\"command failed\" err=\"")
        .and_then(|err| err.strip_suffix('"'))
    {
        Some(err) => err.replace("\\\"", "\"").replace("\\n", "\n"),
        None => rest.to_string(),
    }
}

/// kustomize names the temporary folder it gives helm
/// (`/tmp/kustomize-helm-2229746035`), new in every run.
fn without_run_specific_names(text: &str) -> String {
    const TEMPORARY: &str = "kustomize-helm-";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(TEMPORARY) {
        let after = &rest[at + TEMPORARY.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at + TEMPORARY.len()]);
        out.push('*');
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod wrapper_tests {
    use super::*;

    #[test]
    fn messages_name_the_root_never_the_wrapper() {
        let root = std::env::temp_dir().join("podlint-test-root-without-kustomization");
        let wrapper = Path::new("/tmp/podlint-kustomize-77-3");
        let root_text = root.display().to_string();
        let named = |message: &str| named_as_root(message, wrapper, "../../srv/app/overlay", &root);
        assert_eq!(
            named("accumulating resources from '../../srv/app/overlay': x"),
            format!("accumulating resources from '{root_text}': x")
        );
        assert_eq!(
            named("couldn't make target for path '/tmp/podlint-kustomize-77-3': x"),
            format!("couldn't make target for path '{root_text}': x")
        );
        assert_eq!(
            named("open /tmp/podlint-kustomize-77-3/kustomization.yaml: denied"),
            format!("open {root_text}/kustomization.yaml: denied")
        );
        // Another name of the temporary folder, and a path at the start.
        assert_eq!(
            named("/private/tmp/podlint-kustomize-77-3 contains visited root"),
            format!("{root_text} contains visited root")
        );
        // Another wrapper's folder (`-30`) is not this one.
        assert_eq!(
            named("root=/tmp/podlint-kustomize-77-30"),
            "root=/tmp/podlint-kustomize-77-30"
        );
    }
}

#[cfg(test)]
mod klog_tests {
    use super::without_klog_header;

    #[test]
    fn kubectl_s_klog_line_is_reduced_to_the_error() {
        let line = r#"E1205 19:28:25.733817   18630 run.go:72] "command failed" err="accumulating resources: 'x' must resolve to a file: invalid Kustomization: json: cannot unmarshal \"a\"""#;
        assert_eq!(
            without_klog_header(line),
            r#"accumulating resources: 'x' must resolve to a file: invalid Kustomization: json: cannot unmarshal "a""#
        );
        assert_eq!(without_klog_header("Error: plain"), "Error: plain");
        assert_eq!(
            super::without_run_specific_names(
                "env=[HELM_CONFIG_HOME=/tmp/kustomize-helm-2229746035/helm]"
            ),
            "env=[HELM_CONFIG_HOME=/tmp/kustomize-helm-*/helm]"
        );
    }
}
