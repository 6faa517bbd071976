//! Rendered sources: Helm charts (and kustomizations) are rendered by their
//! tool, linted like any manifest, and every finding is placed back at the
//! file and line a person edits (DESIGN.md, "Beyond raw files").
//!
//! The boundary that every renderer shares:
//!
//! - A renderer turns a *unit* (a chart, a kustomization root) into a
//!   [`Unit`]: the source files its findings may land in, with their text
//!   ([`Unit::sources`]); one [`Render`] per way it was rendered (a chart's
//!   values, each `ci/*-values.yaml`, ...), each the rendered YAML plus a
//!   [`SourceMap`]; and a [`Failure`] for each render that did not work.
//! - A [`SourceMap`] answers one question: where is the node at this span of
//!   the rendered text written? It always answers with a [`Placement`]: when
//!   nothing better is certain, the `kind:` line of the object's source
//!   (never a wrong line). It may add second places (the template line of a
//!   `toYaml` insert, the patch that set a field).
//! - [`lint_unit`] lints each render with the per-file engine and judges
//!   it as a closed set with the relation rules, places every finding, drops those that a `# podlint-ignore:` comment on the placed
//!   line silences, and reports a finding that several renders share once,
//!   naming the renders ([`Origin::renders`]).
//! - The result is findings grouped by source file ([`Linted::files`]),
//!   which the command merges into its output at those files' places.

pub mod helm;
pub mod kustomization;
pub mod kustomize;
pub mod origins;
pub mod overlay_map;
pub mod overlays;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::engine::{self, Settings, Stats};
use crate::finding::{Finding, Label, Origin, Severity};
use crate::model::Target;
use crate::relations;
use crate::source::{Comment, LineIndex, SourceText, Span};
use crate::suppress::LineSuppressions;

/// The source files of a unit by the name findings report, with their text.
pub type Sources = BTreeMap<Arc<str>, Arc<str>>;

/// What a renderer made of one chart or kustomization root.
pub struct Unit {
    pub sources: Sources,
    pub renders: Vec<Render>,
    pub failures: Vec<Failure>,
}

/// One rendering of a unit.
pub struct Render {
    /// How users name it: `values.yaml`, `ci/ha-values.yaml`, an overlay.
    pub name: String,
    /// The rendered YAML, as it is linted.
    pub text: String,
    pub map: Box<dyn SourceMap>,
}

/// A span of one source file of the unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: Arc<str>,
    pub span: Span,
}

/// Where a rendered node is written.
#[derive(Clone, Debug)]
pub struct Placement {
    pub at: Place,
    /// Second places, each with what it is ("inserted here").
    pub also: Vec<(Place, String)>,
    /// The source whose rendering holds the node (a chart's template), as
    /// JSON `origin.rendered_from` reports it.
    pub rendered_from: Arc<str>,
}

pub trait SourceMap: Send + Sync {
    /// Where the node at `span` of the rendered text is written.
    fn place(&self, span: Span) -> Placement;

    /// Where the node a finding points at is written, knowing what the
    /// rule pointed at (a missing field's whole path, which a patch that
    /// removed it answers).
    fn place_target(&self, span: Span, _target: &Target) -> Placement {
        self.place(span)
    }

    /// The rendered text parsed, when the map parsed it already (the
    /// lint then parses it no more).
    fn parsed(&self) -> Option<&crate::source::ParsedSource> {
        None
    }
}

/// A render that failed, at the place the tool names.
pub struct Failure {
    pub at: Place,
    pub message: String,
    pub help: Option<String>,
    /// The render that failed.
    pub render: String,
    /// The machine or a tool failed, not the files (no network for a
    /// remote base, a helm that kustomize cannot run): at most a warning.
    pub environment: bool,
}

pub const RENDER_FAILED: &str = "render-failed";

/// A unit's findings, by the source file they are placed in.
#[derive(Default)]
pub struct Linted {
    pub files: BTreeMap<Arc<str>, FileFindings>,
    pub stats: Stats,
}

pub struct FileFindings {
    pub text: Arc<str>,
    pub findings: Vec<Finding>,
    /// The unit's files that its findings' labels point into (a values
    /// finding's template line).
    pub sources: Arc<Sources>,
}

impl Unit {
    /// Its renders, failed ones included.
    pub fn render_count(&self) -> usize {
        self.renders.len() + self.failures.len()
    }
}

/// Lints every render of a unit and places its findings (see the module
/// doc). `total`: how many renders a finding's renders are counted against
/// (`in 2 of 3 renders`): the unit's own, or those of the group a renderer
/// split into units that share no file. `crds`: the run's, which type the
/// custom resources of the renders.
pub fn lint_unit(
    unit: &Unit,
    settings: &Settings,
    total: usize,
    crds: &crate::model::Crds,
) -> Linted {
    let mut linting = UnitLint::new(settings, total, crds);
    for render in &unit.renders {
        linting.add(render, &unit.sources);
    }
    linting.finish(unit)
}

/// A unit linted render by render, as its renders come ([`lint_unit`]):
/// a render can be linted while the tool makes the next.
pub struct UnitLint<'a> {
    settings: &'a Settings,
    total: usize,
    crds: &'a crate::model::Crds,
    placed: Vec<Finding>,
    suppressions: BTreeMap<Arc<str>, LineSuppressions>,
    stats: Stats,
}

impl<'a> UnitLint<'a> {
    pub fn new(settings: &'a Settings, total: usize, crds: &'a crate::model::Crds) -> Self {
        UnitLint {
            settings,
            total,
            crds,
            placed: Vec::new(),
            suppressions: BTreeMap::new(),
            stats: Stats::default(),
        }
    }

    /// Lints one render; `sources`: the unit's files, those the render's
    /// findings are placed in among them.
    pub fn add(&mut self, render: &Render, sources: &Sources) {
        let settings = self.settings;
        let name: Arc<str> = render.name.as_str().into();
        let source = SourceText {
            text: render.text.clone(),
            decode_error: None,
        };
        let parsed = render.map.parsed();
        let result = engine::lint_rendered(&name, &source, parsed, settings, self.crds);
        self.stats += result.stats;
        // A render is a closed set: everything it deploys is in it.
        let related = relations::run_closed(&name, result.facts, settings);
        let rendered_lines = LineIndex::new(&render.text);
        for finding in result.findings.into_iter().chain(related) {
            let placement = render.map.place_target(finding.span, &finding.target);
            let rendered_line = rendered_lines.position(finding.span.start).line;
            let Some(mut finding) =
                place_finding(sources, finding, &placement, render.map.as_ref())
            else {
                continue;
            };
            let silenced = settings.suppress && {
                let file = finding.file.clone();
                let lines = self
                    .suppressions
                    .entry(file.clone())
                    .or_insert_with(|| comment_suppressions(sources.get(&file).map_or("", |t| t)));
                lines.silences(finding.rule, finding.start.line)
            };
            if silenced {
                continue;
            }
            finding.origin = Some(Box::new(Origin {
                rendered_from: placement.rendered_from.clone(),
                line: rendered_line,
                renders: vec![render.name.clone()],
                of: self.total,
            }));
            merge(&mut self.placed, finding);
        }
    }

    /// The unit's findings, its failures among them, by source file.
    pub fn finish(self, unit: &Unit) -> Linted {
        let UnitLint {
            settings,
            total,
            mut placed,
            stats,
            ..
        } = self;
        let mut linted = Linted {
            stats,
            ..Linted::default()
        };
        if let Some(severity) = settings.severity(RENDER_FAILED) {
            for failure in &unit.failures {
                let text = unit.sources.get(&failure.at.file).map_or("", |t| t);
                let lines = LineIndex::new(text);
                let finding = Finding {
                    rule: RENDER_FAILED,
                    severity: if failure.environment {
                        severity.min(Severity::Warning)
                    } else {
                        severity
                    },
                    message: failure.message.clone(),
                    help: failure.help.clone().map(Into::into),
                    file: failure.at.file.clone(),
                    span: failure.at.span,
                    start: lines.position(failure.at.span.start),
                    end: lines.position(failure.at.span.end),
                    labels: Vec::new(),
                    object: None,
                    container: None,
                    fix: None,
                    origin: Some(Box::new(Origin {
                        rendered_from: failure.at.file.clone(),
                        line: 0,
                        renders: vec![failure.render.clone()],
                        of: total,
                    }))
                    .filter(|_| total > 1),
                    target: Target::Span(failure.at.span),
                };
                merge(&mut placed, finding);
            }
        }
        placed.sort_by(|a, b| {
            (&a.file, a.start, a.rule, &a.message).cmp(&(&b.file, b.start, b.rule, &b.message))
        });
        let sources = Arc::new(labelled_sources(&unit.sources, &placed));
        for finding in placed {
            let text = unit.sources.get(&finding.file).cloned().unwrap_or_default();
            linted
                .files
                .entry(finding.file.clone())
                .or_insert_with(|| FileFindings {
                    text,
                    findings: Vec::new(),
                    sources: sources.clone(),
                })
                .findings
                .push(finding);
        }
        linted
    }
}

/// The texts of the files that `findings`' labels point into: all that
/// is kept of a unit's sources until its findings are reported (those of a
/// kustomize unit are every file its roots use, and a run holds every
/// unit's placed findings until its files are reported).
fn labelled_sources(sources: &Sources, findings: &[Finding]) -> Sources {
    let labelled: HashSet<&str> = findings
        .iter()
        .flat_map(|finding| &finding.labels)
        .filter_map(|label| label.file.as_deref())
        .collect();
    sources
        .iter()
        .filter(|(name, _)| labelled.contains(&***name))
        .map(|(name, text)| (name.clone(), text.clone()))
        .collect()
}

/// A temporary folder for a render, its name starting with `prefix`: in
/// memory (`/dev/shm`) when the system has it and `TMPDIR` names no other
/// place. A chart's copy is dozens of links and folders, and removing
/// them from a busy disk took 40 to 190 ms, longer than linting a small
/// chart; from memory it takes well under a millisecond.
pub fn scratch_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    let memory = Path::new("/dev/shm");
    if std::env::var_os("TMPDIR").is_none() && memory.is_dir() {
        if let Ok(dir) = builder.tempdir_in(memory) {
            return Ok(dir);
        }
    }
    builder.tempdir()
}

/// Runs `produce` on each item on a thread of its own, one item ahead of
/// `consume`, which runs on this thread in item order: at one job, a tool
/// renders the next unit while podlint lints the last (and no more than
/// one item waits). The results of `consume`, in item order.
pub fn one_ahead<T: Sync, P: Send, R>(
    items: &[T],
    produce: impl Fn(&T) -> P + Sync,
    mut consume: impl FnMut(&T, P) -> R,
) -> Vec<R> {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(0);
        let produce = &produce;
        scope.spawn(move || {
            for item in items {
                if sender.send(produce(item)).is_err() {
                    break;
                }
            }
        });
        items
            .iter()
            .zip(receiver)
            .map(|(item, produced)| consume(item, produced))
            .collect()
    })
}

/// A finding of the rendered text, moved to its placement: positions in the
/// source file, labels placed too (in this file or another), and the
/// placement's second places as labels. `None` when the placement names a
/// file the unit does not know (a map's bug: dropped rather than shown at a
/// wrong place).
fn place_finding(
    sources: &Sources,
    finding: Finding,
    placement: &Placement,
    map: &dyn SourceMap,
) -> Option<Finding> {
    let text = sources.get(&placement.at.file)?;
    let lines = LineIndex::new(text);
    let label = |place: &Place, message: String| -> Option<Label> {
        let other = sources.get(&place.file)?;
        let start = if place.file == placement.at.file {
            lines.position(place.span.start)
        } else {
            LineIndex::new(other).position(place.span.start)
        };
        Some(Label {
            span: place.span,
            start,
            message,
            file: (place.file != placement.at.file).then(|| place.file.clone()),
        })
    };
    let mut labels: Vec<Label> = finding
        .labels
        .into_iter()
        .filter_map(|l| label(&map.place(l.span).at, l.message))
        .collect();
    labels.extend(
        placement
            .also
            .iter()
            .filter_map(|(place, message)| label(place, message.clone())),
    );
    Some(Finding {
        file: placement.at.file.clone(),
        span: placement.at.span,
        start: lines.position(placement.at.span.start),
        end: lines.position(placement.at.span.end),
        labels,
        // A fix edits the rendered text, which nobody edits.
        fix: None,
        ..finding
    })
}

/// Adds a finding, or names its render on the same finding of another render.
fn merge(placed: &mut Vec<Finding>, finding: Finding) {
    let same = placed.iter_mut().find(|p| {
        p.rule == finding.rule
            && p.file == finding.file
            && p.span == finding.span
            && p.message == finding.message
    });
    match same {
        Some(existing) => {
            if let (Some(origin), Some(new)) = (existing.origin.as_mut(), finding.origin) {
                for render in new.renders {
                    if !origin.renders.contains(&render) {
                        origin.renders.push(render);
                    }
                }
            }
        }
        None => placed.push(finding),
    }
}

/// The `# podlint-ignore:` comments of a source file that is not YAML (a Go
/// template): a `#` that starts a line or follows a space opens a comment.
/// Unknown rule names in them are reported by the rendered text, not here.
fn comment_suppressions(text: &str) -> LineSuppressions {
    let mut comments = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = line
            .match_indices("# podlint-ignore")
            .chain(line.match_indices("#podlint-ignore"))
            .map(|(i, _)| i)
            .find(|&i| i == 0 || line[..i].ends_with([' ', '\t']));
        if let Some(at) = at {
            let body = line[at + 1..].trim_end();
            comments.push(Comment {
                span: Span::new(offset + at, offset + at + 1 + body.len()),
                text: body.into(),
            });
        }
        offset += line.len();
    }
    LineSuppressions::read(text, &comments, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_in_templates_silence_their_line_or_the_next() {
        let text = "a: {{ .Values.a }} # podlint-ignore: image-latest-tag\n\
                    # podlint-ignore: bare-pod\n\
                    kind: Pod\n\
                    b: \"#podlint-ignore: bare-pod\"\n";
        let lines = comment_suppressions(text);
        assert!(lines.silences("image-latest-tag", 1));
        assert!(lines.silences("bare-pod", 3));
        assert!(!lines.silences("bare-pod", 4));
        assert!(!lines.silences("bare-pod", 5));
    }
}
