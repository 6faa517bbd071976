//! Helm charts: rendered with a real `helm template`, every finding placed at
//! the template or values line a person edits (docs/helm-mapping.md).
//!
//! Each template line that starts with literal text gets a YAML comment
//! marker after that text (`kind: Deployment #podlint:3:7;`) in a temporary
//! copy of the chart; helm copies literal text to its output as is, so the
//! markers in the output say which template line each rendered line's text
//! came from. They are cut out before the output is linted. Content that
//! actions insert (`toYaml .Values.x`, helpers) carries no marker: it is
//! placed by [`map`].

mod failure;
mod gate;
mod map;
mod template;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rayon::prelude::*;
use std::sync::Arc;

use super::{Failure, Place, Render, Sources, Unit};
use crate::source::{self, LineIndex, Span};
use map::{HelmMap, Marker, TemplateFile, ValuesFile};
use template::Template;

/// How charts are rendered: the binary and the release.
#[derive(Clone, Debug)]
pub struct Helm {
    pub binary: PathBuf,
    pub release: String,
    pub namespace: String,
}

/// One render to make: values files (as paths to open, not relative to
/// the chart) in order, then `--set` pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderSpec {
    pub name: String,
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
}

/// A chart to lint.
#[derive(Clone, Debug)]
pub struct Chart {
    /// The chart folder as findings name it (`charts/web`).
    pub name: String,
    pub dir: PathBuf,
    /// Renders besides the default ones (config, command line).
    pub extra: Vec<RenderSpec>,
    /// Replace the default renders (`--values`/`--set` on the command line).
    pub only_extra: bool,
}

/// The `helm` to run: `explicit` (`--helm`, the config's `helm.binary`), else
/// `helm` on PATH. The error says what to install and how to point at it.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else if path.components().count() == 1 {
            find_on_path(&path.to_string_lossy()).ok_or_else(|| missing(Some(path)))
        } else {
            Err(missing(Some(path)))
        };
    }
    find_on_path("helm").ok_or_else(|| missing(None))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn missing(given: Option<&Path>) -> String {
    let what = match given {
        Some(path) => format!("the helm binary {} was not found", path.display()),
        None => "helm was not found on PATH".to_string(),
    };
    format!(
        "{what}: Helm charts are rendered with `helm template`; install helm 3.8 or newer (https://helm.sh/docs/intro/install/) or point podlint at it with --helm PATH or `helm: {{binary: PATH}}` in .podlint.yaml"
    )
}

/// The renders of a chart: its values.yaml, each `ci/*-values.yaml`, then
/// the extra ones.
pub fn renders(chart: &Chart) -> Vec<RenderSpec> {
    let mut specs = Vec::new();
    if !chart.only_extra {
        specs.push(RenderSpec {
            name: "values.yaml".into(),
            ..RenderSpec::default()
        });
        let mut ci: Vec<PathBuf> = std::fs::read_dir(chart.dir.join("ci"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with("-values.yaml"))
            })
            .collect();
        ci.sort();
        for path in ci {
            let relative = path.strip_prefix(&chart.dir).unwrap_or(&path).to_path_buf();
            specs.push(RenderSpec {
                name: relative.to_string_lossy().replace('\\', "/"),
                values: vec![chart.dir.join(relative)],
                set: Vec::new(),
            });
        }
    }
    specs.extend(chart.extra.iter().cloned());
    specs
}

/// Texts that replace files of a chart in a render (an editor's unsaved
/// buffers), by path relative to the chart folder.
pub type Buffers = HashMap<PathBuf, Arc<str>>;

/// Renders a chart every way it is rendered (see [`renders`]).
/// The temporary copy is left to the caller, to remove while it lints.
pub fn render(chart: &Chart, helm: &Helm) -> (Unit, Leftover) {
    render_leaving_copy(chart, helm, &Buffers::new())
}

/// The temporary copy of a chart that a render leaves: removed when
/// dropped, or on a thread of its own by [`Leftover::removed_during`].
pub struct Leftover(Option<tempfile::TempDir>);

impl Leftover {
    /// Runs `work` (the lint of the render) while the copy is removed.
    pub fn removed_during<R>(self, work: impl FnOnce() -> R) -> R {
        std::thread::scope(|scope| {
            let removal = std::thread::Builder::new().spawn_scoped(scope, move || drop(self.0));
            // Without a thread, the copy is removed here when the error drops it.
            drop(removal);
            work()
        })
    }
}

/// Renders a chart with `buffers` in place of the files they name: they are
/// written into the temporary copy that helm renders.
pub fn render_with(chart: &Chart, helm: &Helm, buffers: &Buffers) -> Unit {
    render_leaving_copy(chart, helm, buffers).0
}

fn render_leaving_copy(chart: &Chart, helm: &Helm, buffers: &Buffers) -> (Unit, Leftover) {
    let specs = renders(chart);
    let mut sources = Sources::new();
    let read_file = |relative: &Path| -> Option<Arc<str>> {
        if let Some(text) = buffers.get(relative) {
            return Some(text.clone());
        }
        let bytes = std::fs::read(chart.dir.join(relative)).ok()?;
        Some(source::decode(bytes).text.into())
    };
    let read = |relative: &str, sources: &mut Sources| -> Option<Arc<str>> {
        let text = read_file(Path::new(relative))?;
        sources.insert(display(&chart.name, relative), text.clone());
        Some(text)
    };
    let chart_yaml = read("Chart.yaml", &mut sources).unwrap_or_default();
    let chart_name = chart_name(&chart_yaml).unwrap_or_else(|| {
        chart
            .dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    });
    let failed = |message: String, help: Option<String>, sources: Sources| Unit {
        failures: vec![Failure {
            at: Place {
                file: display(&chart.name, "Chart.yaml"),
                span: Span::default(),
            },
            message,
            help,
            render: "values.yaml".into(),
            environment: false,
        }],
        sources,
        renders: Vec::new(),
    };

    // Helm starts while the copy is made (see [`gate`]).
    let scratch = match crate::render::scratch_dir("podlint-helm-") {
        Ok(scratch) => scratch,
        Err(error) => return (failed(copy_failed(&error), None, sources), Leftover(None)),
    };
    let copied = scratch.path().join(copy_name(chart));
    if let Err(error) = std::fs::create_dir_all(&copied) {
        return (failed(copy_failed(&error), None, sources), Leftover(None));
    }
    // Values files of the chart are read from the copy, which holds the
    // buffers; findings name them as given.
    let runnable: Vec<RenderSpec> = specs
        .iter()
        .map(|spec| RenderSpec {
            values: spec
                .values
                .iter()
                .map(|values| match values.strip_prefix(&chart.dir) {
                    Ok(relative) if buffers.contains_key(relative) => copied.join(relative),
                    _ => values.clone(),
                })
                .collect(),
            ..spec.clone()
        })
        .collect();
    // As many renders start early as the pool runs at once (`-j`); the
    // others run as those end.
    let started: Vec<Option<gate::Gated>> = runnable
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            (index < rayon::current_num_threads())
                .then(|| start(helm, &copied, spec, scratch.path(), index))
                .flatten()
        })
        .collect();

    let mut templates = Vec::new();
    let mut files = Vec::new();
    collect(&chart.dir, Path::new(""), &mut files);
    // Templates are read and scanned on the pool (before helm can start).
    let read_files: Vec<(String, Option<Arc<str>>, Option<Template>)> = files
        .par_iter()
        .map(|relative| {
            let name = relative.to_string_lossy().replace('\\', "/");
            if is_template(&name) {
                let text = read_file(relative);
                let scan = text.as_deref().map(Template::scan);
                (name, text, scan)
            } else if is_values(&name) {
                (name, read_file(relative), None)
            } else {
                (name, None, None)
            }
        })
        .collect();
    for (name, text, scan) in read_files {
        let Some(text) = text else { continue };
        sources.insert(display(&chart.name, &name), text.clone());
        if let Some(scan) = scan {
            templates.push(TemplateFile {
                name: display(&chart.name, &name),
                relative: name,
                scan,
                text,
            });
        }
    }
    // Lines of defines get markers when their output is printed as is.
    let printed = template::printed_defines(&templates.iter().map(|t| &t.scan).collect::<Vec<_>>());
    for template in &mut templates {
        template.scan.keep_defines(&printed);
    }
    for spec in &specs {
        for values in &spec.values {
            let in_chart = values.strip_prefix(&chart.dir).ok();
            let text = match in_chart {
                Some(relative) => read_file(relative),
                None => std::fs::read(values)
                    .ok()
                    .map(|bytes| source::decode(bytes).text.into()),
            };
            if let Some(text) = text {
                sources.entry(values_name(values)).or_insert(text);
            }
        }
    }

    let written = match instrumented_copy(chart, &copied, &files, &templates, buffers) {
        Ok(written) => written,
        Err(error) => return (failed(copy_failed(&error), None, sources), Leftover(None)),
    };
    let templates = Arc::new(templates);
    let mut unit = Unit {
        sources,
        renders: Vec::new(),
        failures: Vec::new(),
    };
    // The renders of a chart are separate helm processes: they run at once.
    let outputs: Vec<_> = started
        .into_par_iter()
        .zip(&runnable)
        .map(|(started, spec)| {
            started
                .and_then(|started| finish(helm, started))
                .unwrap_or_else(|| run(helm, &copied, spec))
        })
        .collect();
    for ((spec, runnable), output) in specs.iter().zip(&runnable).zip(outputs) {
        match output {
            Ok(output) => {
                let (text, markers) = strip_markers(&output);
                let values = values_files(chart, spec, &unit.sources);
                unit.renders.push(Render {
                    name: spec.name.clone(),
                    map: Box::new(HelmMap::new(
                        &chart.name,
                        &chart_name,
                        &text,
                        markers,
                        templates.clone(),
                        values,
                    )),
                    text,
                });
            }
            Err(stderr) if stderr.contains("YAML parse error") => {
                // The markers may be what broke the YAML: the chart as
                // written says what is wrong, if anything.
                match run_plain(
                    helm, chart, &copied, &templates, &written, runnable, buffers,
                ) {
                    Ok(output) => unit.renders.push(Render {
                        name: spec.name.clone(),
                        map: Box::new(HelmMap::new(
                            &chart.name,
                            &chart_name,
                            &output,
                            Vec::new(),
                            templates.clone(),
                            values_files(chart, spec, &unit.sources),
                        )),
                        text: output,
                    }),
                    Err(stderr) => unit.failures.push(failure(
                        chart,
                        &chart_name,
                        &stderr,
                        spec,
                        &unit.sources,
                        None,
                    )),
                }
            }
            Err(stderr) => {
                let failed = failure(
                    chart,
                    &chart_name,
                    &stderr,
                    spec,
                    &unit.sources,
                    Some(&templates),
                );
                unit.failures.push(failed);
            }
        }
    }
    (unit, Leftover(Some(scratch)))
}

fn copy_failed(error: &std::io::Error) -> String {
    format!("cannot copy the chart to a temporary folder to render it: {error}")
}

/// Renders the chart without markers: the folder itself, or with buffers
/// the copy with its templates written back as they are.
fn run_plain(
    helm: &Helm,
    chart: &Chart,
    copied: &Path,
    templates: &[TemplateFile],
    written: &[bool],
    spec: &RenderSpec,
    buffers: &Buffers,
) -> Result<String, String> {
    if buffers.is_empty() {
        return run(helm, &chart.dir, spec);
    }
    // Only written templates: the others are links into the chart.
    for (template, _) in templates.iter().zip(written).filter(|(_, w)| **w) {
        std::fs::write(copied.join(&template.relative), &*template.text)
            .map_err(|error| format!("cannot write the temporary copy of the chart: {error}"))?;
    }
    run(helm, copied, spec)
}

/// A failed render at the place helm names; `instrumented`: the templates
/// whose markers helm's columns count (the copy that was rendered).
fn failure(
    chart: &Chart,
    chart_name: &str,
    stderr: &str,
    spec: &RenderSpec,
    sources: &Sources,
    instrumented: Option<&[TemplateFile]>,
) -> Failure {
    let mut error = failure::parse(stderr, chart_name);
    let file = error.file.clone().unwrap_or_else(|| "Chart.yaml".into());
    let template =
        instrumented.and_then(|t| t.iter().enumerate().find(|(_, t)| t.relative == file));
    if let (Some((index, template)), Some(line)) = (template, error.line.checked_sub(1)) {
        // A marker before the column moved it right.
        let literal = template
            .scan
            .lines
            .get(line)
            .and_then(|l| l.literal.clone());
        let marked = marked_lines(template).get(line).copied().unwrap_or(false);
        if let (true, Some(literal)) = (marked, literal) {
            let line_start = template.text[..literal.start]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let marker_column = template.text[line_start..literal.end].chars().count() + 1;
            if error.column > marker_column {
                let length = marker(index, line + 1).len();
                let instrumented = format!("{file}:{}:{}", error.line, error.column);
                error.column = error.column.saturating_sub(length).max(marker_column);
                // helm's message names the column of the copy too.
                let written = format!("{file}:{}:{}", error.line, error.column);
                error.message = error.message.replacen(&instrumented, &written, 1);
            }
        }
    }
    let name = display(&chart.name, &file);
    let (name, span) = match sources.get(&name) {
        Some(text) => {
            let span = failure_span(text, &file, &error);
            (name, span)
        }
        None => (display(&chart.name, "Chart.yaml"), Span::default()),
    };
    Failure {
        at: Place { file: name, span },
        message: error.message,
        help: error.help,
        render: spec.name.clone(),
        environment: false,
    }
}

/// Where a failure points in the file helm names: the line and column it
/// gives, the entry of a missing dependency in Chart.yaml, else line 1.
fn failure_span(text: &str, file: &str, error: &failure::HelmError) -> Span {
    let lines = LineIndex::new(text);
    if file == "Chart.yaml" && error.line == 0 {
        let missing = error.message.rsplit(": ").next().unwrap_or("");
        let entry = missing.split(',').next().unwrap_or("").trim();
        let found = (0..lines.line_count()).find(|&l| {
            let line = lines.line_text(l).trim_start().trim_start_matches("- ");
            let value = line
                .strip_prefix("name:")
                .map(|v| v.split(" #").next().unwrap_or(v));
            value.is_some_and(|name| name.trim().trim_matches(['"', '\'']) == entry)
        });
        if let Some(line) = found {
            let start = lines.line_start(line);
            let text_line = lines.line_text(line);
            let lead = text_line.len() - text_line.trim_start().len();
            return Span::new(start + lead, start + text_line.len());
        }
        return Span::default();
    }
    if error.line == 0 {
        return Span::default();
    }
    let line = (error.line - 1).min(lines.line_count().saturating_sub(1));
    let start = lines.line_start(line);
    let text_line = lines.line_text(line);
    let column = text_line
        .char_indices()
        .nth(error.column.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let column = if error.column == 0 {
        text_line.len() - text_line.trim_start().len()
    } else {
        column
    };
    Span::new(start + column, start + text_line.len().max(column))
}

/// The values files a render reads, highest priority first, as
/// [`ValuesFile`]s; subcharts' own values.yaml files come with them.
fn values_files(chart: &Chart, spec: &RenderSpec, sources: &Sources) -> Vec<ValuesFile> {
    let mut names: Vec<Arc<str>> = spec
        .values
        .iter()
        .rev()
        .map(|values| values_name(values))
        .collect();
    names.push(display(&chart.name, "values.yaml"));
    let mut files: Vec<ValuesFile> = Vec::new();
    for name in names {
        if files.iter().any(|f| f.name == name) {
            continue;
        }
        if let Some(text) = sources.get(&name) {
            files.push(ValuesFile::new(name.clone(), text.clone(), String::new()));
        }
    }
    let prefix = format!("{}/", chart.name.trim_end_matches('/'));
    for (name, text) in sources {
        let Some(relative) = name.strip_prefix(&prefix) else {
            continue;
        };
        if relative.starts_with("charts/") && relative.ends_with("/values.yaml") {
            let folder = relative.trim_end_matches("/values.yaml");
            files.push(ValuesFile::new(
                name.clone(),
                text.clone(),
                folder.to_string(),
            ));
        }
    }
    files
}

/// A values file as findings name it: the path as given, without `./`.
fn values_name(values: &Path) -> Arc<str> {
    let text = values.to_string_lossy().replace('\\', "/");
    let mut name = text.as_str();
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name.into()
}

/// A file of the chart as findings name it: the chart folder as given, then
/// the path inside it.
fn display(chart: &str, relative: &str) -> Arc<str> {
    if chart == "." || chart.is_empty() {
        relative.into()
    } else {
        format!("{}/{relative}", chart.trim_end_matches('/')).into()
    }
}

/// The `name:` of Chart.yaml.
fn chart_name(chart_yaml: &str) -> Option<String> {
    let parsed = source::parse(chart_yaml);
    let root = &parsed.documents.first()?.root;
    root.get("name")?.as_str().map(str::to_string)
}

/// Templates of the chart and its unpacked subcharts: `templates/**` files
/// that helm renders (not NOTES.txt).
fn is_template(relative: &str) -> bool {
    let in_templates = relative.starts_with("templates/") || relative.contains("/templates/");
    in_templates
        && [".yaml", ".yml", ".tpl", ".json"]
            .iter()
            .any(|ext| relative.ends_with(ext))
}

fn is_values(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    name == "values.yaml" || (relative.starts_with("ci/") && name.ends_with("-values.yaml"))
}

/// Every file of the chart folder, relative to it (symlinked folders are
/// not followed, as helm does not either).
fn collect(root: &Path, relative: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = relative.join(entry.file_name());
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect(root, &path, out),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}

/// The chart folder's name inside the temporary copy.
fn copy_name(chart: &Chart) -> String {
    chart
        .dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "chart".into())
}

/// A temporary copy of the chart with markers in its templates. Only what
/// differs from the chart is written (templates with markers, editor
/// buffers); the rest links to the chart's files, a folder with nothing
/// written below it as one link: helm's loader follows links and reads
/// the files under the names of the copy. The copy is made in `root`; its
/// `Chart.yaml` last (see [`gate`]). By template: whether it was written
/// with markers (the others are links to the chart's own files).
fn instrumented_copy(
    chart: &Chart,
    root: &Path,
    files: &[PathBuf],
    templates: &[TemplateFile],
    buffers: &Buffers,
) -> std::io::Result<Vec<bool>> {
    let source = std::path::absolute(&chart.dir)?;
    let mut texts: HashMap<&Path, String> = HashMap::new();
    let mut written = vec![false; templates.len()];
    for (index, template) in templates.iter().enumerate() {
        let relative = Path::new(&template.relative);
        if buffers.contains_key(relative) || marked_lines(template).contains(&true) {
            texts.insert(relative, instrument(template, index));
            written[index] = true;
        }
    }
    for (relative, text) in buffers {
        texts
            .entry(relative.as_path())
            .or_insert_with(|| text.to_string());
    }
    // Folders that hold a written file are made; the others are linked.
    let mut made: HashSet<&Path> = texts.keys().flat_map(|path| path.ancestors()).collect();
    made.insert(Path::new(""));
    let mut linked: HashSet<&Path> = HashSet::new();
    let mut created: HashSet<PathBuf> = HashSet::new();
    let chart_yaml = Path::new("Chart.yaml");
    let others = files.iter().filter(|relative| *relative != chart_yaml);
    let last = files.iter().filter(|relative| *relative == chart_yaml);
    for relative in others.chain(last) {
        // The topmost folder above the file that holds nothing written.
        let outer = relative
            .ancestors()
            .skip(1)
            .filter(|dir| !made.contains(dir))
            .last();
        if let Some(dir) = outer {
            if linked.contains(dir) {
                continue;
            }
            if let Some(parent) = dir.parent() {
                make_folder(root, parent, &mut created)?;
            }
            if link(&source.join(dir), &root.join(dir)).is_ok() {
                linked.insert(dir);
                continue;
            }
            // No links here: the folder's files are copied one by one.
            made.extend(relative.ancestors());
        }
        let target = root.join(relative);
        if let Some(parent) = relative.parent() {
            make_folder(root, parent, &mut created)?;
        }
        match texts.get(relative.as_path()) {
            Some(text) => std::fs::write(&target, text)?,
            None => {
                let original = source.join(relative);
                if link(&original, &target).is_err() {
                    std::fs::copy(&original, &target)?;
                }
            }
        }
    }
    Ok(written)
}

/// Makes a folder of the copy (`relative` to its `root`) once.
fn make_folder(
    root: &Path,
    relative: &Path,
    created: &mut HashSet<PathBuf>,
) -> std::io::Result<()> {
    if !created.contains(relative) {
        std::fs::create_dir_all(root.join(relative))?;
        created.extend(relative.ancestors().map(Path::to_path_buf));
    }
    Ok(())
}

#[cfg(unix)]
fn link(original: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(original, link)
}

/// Links need privileges elsewhere: files are copied.
#[cfg(not(unix))]
fn link(_original: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The text of a template with a marker after the literal text of each
/// line that [`marked_lines`] names.
fn instrument(template: &TemplateFile, index: usize) -> String {
    let text = &*template.text;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut from = 0;
    for (line, marked) in marked_lines(template).into_iter().enumerate() {
        let literal = template.scan.lines[line].literal.as_ref();
        if let (true, Some(literal)) = (marked, literal) {
            out.push_str(&text[from..literal.end]);
            out.push_str(&marker(index, line + 1));
            from = literal.end;
        }
    }
    out.push_str(&text[from..]);
    out
}

fn marker(file: usize, line: usize) -> String {
    format!(" {MARKER}{file}:{line};")
}

/// The lines that get a marker: those that start with literal text, but
/// for a line that a plain scalar continues on the next line (a comment
/// would end the scalar there and break the YAML).
fn marked_lines(template: &TemplateFile) -> Vec<bool> {
    let lines: Vec<&str> = template.text.split('\n').collect();
    let mut marked = vec![false; template.scan.lines.len()];
    // The indentation of the key whose plain scalar the lines continue.
    let mut continued: Option<usize> = None;
    for (line, info) in template.scan.lines.iter().enumerate() {
        if info.literal.is_none() {
            continued = None;
            continue;
        }
        let current = lines.get(line).copied().unwrap_or("");
        let base = continued.unwrap_or_else(|| indentation(current));
        let next = lines[line + 1..].iter().find(|l| !l.trim().is_empty());
        if next.is_some_and(|next| indentation(next) > base && continues_scalar(current, next)) {
            continued = Some(base);
            continue;
        }
        continued = None;
        marked[line] = true;
    }
    marked
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Whether `next`, indented below `line`, may continue a plain scalar of
/// `line`: it starts no mapping entry, list item, comment or action, and
/// `line` opens no block scalar.
fn continues_scalar(line: &str, next: &str) -> bool {
    let next = next.trim();
    let structure = next.starts_with("- ")
        || next == "-"
        || next.starts_with('#')
        || next.starts_with("{{")
        || next.contains(": ")
        || next.ends_with(':');
    let header = line
        .trim_end()
        .rsplit(' ')
        .next()
        .is_some_and(|last| last.starts_with(['|', '>']));
    !structure && !header
}

const MARKER: &str = "#podlint:";

/// The rendered text without markers, and the markers by offset in it.
fn strip_markers(output: &str) -> (String, Vec<Marker>) {
    let mut text = String::with_capacity(output.len());
    let mut markers = Vec::new();
    let mut from = 0;
    while let Some(found) = output[from..].find(MARKER) {
        let at = from + found;
        let rest = &output[at + MARKER.len()..];
        let parsed = rest.split_once(';').and_then(|(numbers, _)| {
            let (file, line) = numbers.split_once(':')?;
            Some((
                file.parse::<u32>().ok()?,
                line.parse::<u32>().ok()?,
                numbers.len(),
            ))
        });
        let Some((file, line, length)) = parsed else {
            text.push_str(&output[from..at + MARKER.len()]);
            from = at + MARKER.len();
            continue;
        };
        let before = &output[from..at];
        text.push_str(before.strip_suffix(' ').unwrap_or(before));
        markers.push(Marker {
            offset: text.len(),
            file,
            line,
        });
        from = at + MARKER.len() + length + 1;
    }
    text.push_str(&output[from..]);
    (text, markers)
}

fn run(helm: &Helm, dir: &Path, spec: &RenderSpec) -> Result<String, String> {
    let output = command(helm, dir, spec, None).output();
    outcome(helm, output)
}

/// `helm template` of the chart in `dir`; `gate` its first values file.
fn command(helm: &Helm, dir: &Path, spec: &RenderSpec, gate: Option<&Path>) -> Command {
    let mut command = Command::new(&helm.binary);
    command
        .arg("template")
        .arg(&helm.release)
        .arg(dir)
        .arg("--namespace")
        .arg(&helm.namespace);
    for values in gate
        .into_iter()
        .chain(spec.values.iter().map(PathBuf::as_path))
    {
        command.arg("--values").arg(values);
    }
    for pair in &spec.set {
        command.arg("--set").arg(pair);
    }
    command
}

fn outcome(helm: &Helm, output: std::io::Result<Output>) -> Result<String, String> {
    let output =
        output.map_err(|error| format!("cannot run {}: {error}", helm.binary.display()))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Starts the render of `spec` before its copy is complete; `None` where
/// it cannot wait at a gate (it is then run when the copy is complete).
fn start(
    helm: &Helm,
    copied: &Path,
    spec: &RenderSpec,
    scratch: &Path,
    index: usize,
) -> Option<gate::Gated> {
    let gate = scratch.join(format!("gate-{index}.yaml"));
    gate::start(command(helm, copied, spec, Some(&gate)), &gate).ok()
}

/// The outcome of a started render; `None` where helm ended without
/// passing its gate (it did not render the copy).
fn finish(helm: &Helm, started: gate::Gated) -> Option<Result<String, String>> {
    let finished = started.finish();
    let succeeded = finished.output.as_ref().is_ok_and(|o| o.status.success());
    (finished.passed_gate || succeeded).then(|| outcome(helm, finished.output))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Helm reads the copy through its links (tests/helm.rs renders the
    /// `linked-files` chart); here: what is written, what is linked, and
    /// that removing the copy leaves the chart alone.
    #[cfg(unix)]
    #[test]
    fn the_copy_writes_what_differs_and_links_the_rest() {
        let chart_dir = tempfile::tempdir().expect("a temporary folder");
        let dir = chart_dir.path();
        let files = [
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            ("values.yaml", "a: 1\n"),
            ("templates/pod.yaml", "kind: Pod\n"),
            (
                "templates/_helpers.tpl",
                "{{- define \"x\" -}}\ny: 1\n{{- end }}\n",
            ),
            ("files/a.txt", "a\n"),
            (
                "charts/sub/templates/_h.tpl",
                "{{- define \"z\" }}z{{ end }}\n",
            ),
        ];
        for (relative, text) in files {
            let path = dir.join(relative);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("made");
            std::fs::write(path, text).expect("written");
        }
        let chart = Chart {
            name: "c".into(),
            dir: dir.to_path_buf(),
            extra: Vec::new(),
            only_extra: false,
        };
        let mut listed = Vec::new();
        collect(dir, Path::new(""), &mut listed);
        let templates: Vec<TemplateFile> = ["templates/_helpers.tpl", "templates/pod.yaml"]
            .into_iter()
            .map(|relative| {
                let text: Arc<str> = std::fs::read_to_string(dir.join(relative))
                    .expect("read")
                    .into();
                let mut scan = Template::scan(&text);
                scan.keep_defines(&Default::default());
                TemplateFile {
                    name: relative.into(),
                    relative: relative.into(),
                    text,
                    scan,
                }
            })
            .collect();
        let buffers: Buffers = [(PathBuf::from("values.yaml"), Arc::from("a: 2\n"))].into();
        let copy = tempfile::tempdir().expect("a temporary folder");
        let root = copy.path().join(copy_name(&chart));
        std::fs::create_dir(&root).expect("the copy's folder");
        let written =
            instrumented_copy(&chart, &root, &listed, &templates, &buffers).expect("copied");
        let linked = |relative: &str| {
            std::fs::symlink_metadata(root.join(relative))
                .expect("in the copy")
                .file_type()
                .is_symlink()
        };
        assert_eq!(written, [false, true]);
        let pod = std::fs::read_to_string(root.join("templates/pod.yaml")).expect("read");
        assert_eq!(pod, "kind: Pod #podlint:1:1;\n");
        assert!(!linked("templates/pod.yaml") && !linked("templates"));
        assert_eq!(
            std::fs::read_to_string(root.join("values.yaml")).expect("read"),
            "a: 2\n"
        );
        assert!(!linked("values.yaml"));
        for relative in ["templates/_helpers.tpl", "Chart.yaml", "files", "charts"] {
            assert!(linked(relative), "{relative} is not a link");
        }
        assert_eq!(
            std::fs::read_to_string(root.join("files/a.txt")).expect("read"),
            "a\n"
        );
        drop(copy);
        for (relative, text) in files {
            let read = std::fs::read_to_string(dir.join(relative)).expect("still there");
            assert_eq!(read, text);
        }
    }

    #[test]
    fn markers_are_cut_out_and_remembered_where_they_were() {
        let output =
            "kind: Pod #podlint:0:2;\nspec: #podlint:1:14;\n  a: 1\n#podlint:0:9;x: #podlint:bad\n";
        let (text, markers) = strip_markers(output);
        assert_eq!(text, "kind: Pod\nspec:\n  a: 1\nx: #podlint:bad\n");
        let found: Vec<(usize, u32, u32)> =
            markers.iter().map(|m| (m.offset, m.file, m.line)).collect();
        assert_eq!(found, vec![(9, 0, 2), (15, 1, 14), (23, 0, 9)]);
    }
}
