//! The charts of a `check` run: which renders each gets (defaults, config,
//! command line), rendered on the worker pool, findings placed in their
//! source files (see `render`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rayon::ThreadPool;

use super::check::FileConfig;
use crate::cli::CheckArgs;
use crate::config::Config;
use crate::discover::ChartInput;
use crate::engine::Stats;
use crate::render::helm::{self, Chart, Helm, RenderSpec};
use crate::render::{self, FileFindings};

pub const DEFAULT_RELEASE: &str = "release-name";
pub const DEFAULT_NAMESPACE: &str = "default";

/// What the charts of a run left: findings by source file, sorted by name.
#[derive(Default)]
pub struct Placed {
    /// Each with the config of its chart (for its fail level).
    pub files: Vec<(Arc<str>, FileFindings, Arc<FileConfig>)>,
    pub stats: Stats,
    /// Source files of the charts (templates, values), for the summary.
    pub sources: usize,
    /// Why charts were not linted (no helm), one message each.
    pub errors: Vec<String>,
}

impl Placed {
    /// A linted unit's files (unsorted), with the config they ran with;
    /// `sources`: how many source files the unit had.
    pub fn add_unit(&mut self, sources: usize, linted: render::Linted, config: &Arc<FileConfig>) {
        self.sources += sources;
        self.stats += linted.stats;
        self.files.extend(
            linted
                .files
                .into_iter()
                .map(|(name, findings)| (name, findings, config.clone())),
        );
    }

    /// Another renderer's files among these, in name order.
    pub fn add(&mut self, other: Placed) {
        self.files.extend(other.files);
        self.files.sort_by(|a, b| a.0.cmp(&b.0));
        self.stats += other.stats;
        self.sources += other.sources;
        self.errors.extend(other.errors);
    }
}

/// Renders and lints every chart on the pool, each with the config that
/// applies to its folder.
pub fn lint_charts(
    charts: &[(ChartInput, Arc<FileConfig>)],
    args: &CheckArgs,
    pool: Option<&ThreadPool>,
    crds: &crate::model::Crds,
) -> Placed {
    let mut placed = Placed::default();
    let mut ready = Vec::new();
    let mut unrenderable: Vec<(String, Vec<&str>)> = Vec::new();
    for (input, file_config) in charts {
        match helm_for(args.helm.as_deref(), &file_config.config) {
            Ok(helm) => ready.push((
                chart(input, args, &file_config.config),
                helm,
                file_config.clone(),
            )),
            Err(message) => match unrenderable.iter_mut().find(|(m, _)| *m == message) {
                Some((_, names)) => names.push(&input.name),
                None => unrenderable.push((message, vec![&input.name])),
            },
        }
    }
    for (message, names) in unrenderable {
        placed
            .errors
            .push(format!("{message}; not linted: {}", names.join(", ")));
    }
    type Ready = (Chart, Helm, Arc<FileConfig>);
    let lint_rendered = |(chart, _, config): &Ready,
                         (unit, copy): (render::Unit, helm::Leftover)| {
        let linted = copy.removed_during(|| {
            render::lint_unit(
                &unit,
                &config.settings,
                unit.render_count(),
                &crds.seen_from(&chart.dir),
            )
        });
        (unit.sources.len(), linted, config.clone())
    };
    let lint = |ready: &Ready| lint_rendered(ready, helm::render(&ready.0, &ready.1));
    let linted: Vec<_> = match pool {
        // One job: helm renders the next chart (on the pool's thread) while
        // this thread lints the last.
        Some(pool) if pool.current_num_threads() == 1 && ready.len() > 1 => render::one_ahead(
            &ready,
            |(chart, helm, _)| pool.install(|| helm::render(chart, helm)),
            lint_rendered,
        ),
        Some(pool) => pool.install(|| ready.par_iter().map(lint).collect()),
        None => ready.par_iter().map(lint).collect(),
    };
    for (sources, linted, config) in linted {
        placed.add_unit(sources, linted, &config);
    }
    placed.files.sort_by(|a, b| a.0.cmp(&b.0));
    placed
}

/// How the charts under `config` are rendered: `--helm` (`flag`), else the
/// config's `helm.binary`, else helm on PATH; the release it names. The
/// error says what to install.
pub fn helm_for(flag: Option<&Path>, config: &Config) -> Result<Helm, String> {
    let explicit = flag.map(Path::to_path_buf).or_else(|| {
        config.helm.binary.as_ref().map(|binary| {
            // A path in the config is relative to the config's folder.
            if binary.components().count() > 1 && binary.is_relative() {
                config.helm.base.join(binary)
            } else {
                binary.clone()
            }
        })
    });
    Ok(Helm {
        binary: helm::locate(explicit.as_deref())?,
        release: config
            .helm
            .release_name
            .clone()
            .unwrap_or_else(|| DEFAULT_RELEASE.into()),
        namespace: config
            .helm
            .namespace
            .clone()
            .unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
    })
}

/// A discovered chart with its extra renders: the config's for its folder,
/// and `--values`/`--set` (which replace the defaults) when it was named.
pub fn chart(input: &ChartInput, args: &CheckArgs, config: &Config) -> Chart {
    let mut extra = Vec::new();
    let same_dir = |path: &Path| {
        let configured = config.helm.base.join(path);
        match (configured.canonicalize(), input.dir.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    };
    for chart in config
        .helm
        .charts
        .iter()
        .filter(|c| same_dir(Path::new(&c.path)))
    {
        for render in &chart.renders {
            let mut name: Vec<String> = render.values.clone();
            name.extend(render.set.iter().map(|(k, v)| format!("{k}={v}")));
            extra.push(RenderSpec {
                name: name.join(" "),
                values: render.values.iter().map(|v| input.dir.join(v)).collect(),
                set: render.set.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            });
        }
    }
    let from_command_line = input.named && (!args.values.is_empty() || !args.set.is_empty());
    if from_command_line {
        let values: Vec<PathBuf> = args.values.clone();
        let mut name: Vec<String> = args
            .values
            .iter()
            .map(|v| v.display().to_string())
            .collect();
        name.extend(args.set.iter().map(|s| format!("--set {s}")));
        extra.push(RenderSpec {
            name: name.join(" "),
            values,
            set: args.set.clone(),
        });
    }
    Chart {
        name: input.name.clone(),
        dir: input.dir.clone(),
        extra,
        only_extra: from_command_line,
    }
}
