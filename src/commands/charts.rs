//! The charts of a `check` run: which renders each gets (defaults, config,
//! command line), rendered on the worker pool, findings placed in their
//! source files (see `render`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rayon::ThreadPool;

use crate::cli::CheckArgs;
use crate::config::Config;
use crate::discover::ChartInput;
use crate::engine::{Settings, Stats};
use crate::render::helm::{self, Chart, Helm, RenderSpec};
use crate::render::{self, FileFindings};

pub const DEFAULT_RELEASE: &str = "release-name";
pub const DEFAULT_NAMESPACE: &str = "default";

/// What the charts of a run left: findings by source file, sorted by name.
#[derive(Default)]
pub struct Placed {
    pub files: Vec<(Arc<str>, FileFindings)>,
    pub stats: Stats,
    /// Source files of the charts (templates, values), for the summary.
    pub sources: usize,
    /// Why charts were not linted (no helm), one message each.
    pub errors: Vec<String>,
}

pub fn lint_charts(
    charts: &[ChartInput],
    args: &CheckArgs,
    config: &Config,
    settings: &Settings,
    pool: Option<&ThreadPool>,
) -> Placed {
    let mut placed = Placed::default();
    if charts.is_empty() {
        return placed;
    }
    let explicit = args.helm.clone().or_else(|| {
        config.helm.binary.as_ref().map(|binary| {
            // A relative path in the config is relative to the config's folder.
            if binary.components().count() > 1 && binary.is_relative() {
                config.helm.base.join(binary)
            } else {
                binary.clone()
            }
        })
    });
    let binary = match helm::locate(explicit.as_deref()) {
        Ok(binary) => binary,
        Err(message) => {
            let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
            placed
                .errors
                .push(format!("{message}; not linted: {}", names.join(", ")));
            return placed;
        }
    };
    let helm = Helm {
        binary,
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
    };
    let charts: Vec<Chart> = charts.iter().map(|c| chart(c, args, config)).collect();
    let lint = |chart: &Chart| {
        let unit = helm::render(chart, &helm);
        (unit.sources.len(), render::lint_unit(&unit, settings))
    };
    let linted: Vec<_> = match pool {
        Some(pool) => pool.install(|| charts.par_iter().map(lint).collect()),
        None => charts.par_iter().map(lint).collect(),
    };
    for (sources, linted) in linted {
        placed.sources += sources;
        placed.stats += linted.stats;
        placed.files.extend(linted.files);
    }
    placed.files.sort_by(|a, b| a.0.cmp(&b.0));
    placed
}

/// A discovered chart with its extra renders: the config's for its folder,
/// and `--values`/`--set` (which replace the defaults) when it was named.
fn chart(input: &ChartInput, args: &CheckArgs, config: &Config) -> Chart {
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
