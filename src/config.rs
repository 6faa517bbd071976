//! `.podlint.yaml`: per-rule severities, excludes, the fail level and the
//! file-size limit, read
//! with podlint's own span parser so that every mistake is shown at its line.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::cli::FailLevel;
use crate::files::{self, ReadError};
use crate::model::ConfiguredKind;
use crate::rules::{self, Level};
use crate::size::ByteSize;
use crate::source::{self, Node, Span, SyntaxProblem};

pub const FILE_NAME: &str = ".podlint.yaml";

#[derive(Debug, Default)]
pub struct Config {
    /// Per-rule levels that replace the defaults.
    pub rules: Vec<(&'static str, Level)>,
    pub exclude: Vec<String>,
    pub fail_level: Option<FailLevel>,
    pub max_file_size: Option<ByteSize>,
    /// The custom checks, compiled and registered as rules.
    pub checks: Vec<&'static rules::Rule>,
    /// `kustomize: binary:`, a `kustomize` or `kubectl` executable.
    pub kustomize_binary: Option<PathBuf>,
    /// Folders or files of ValidatingAdmissionPolicies, as written
    /// (relative to the config file's folder).
    pub policies: Vec<String>,
    /// Folders or files of CustomResourceDefinitions that type custom
    /// resources, as written (relative to the config file's folder).
    pub crds: Vec<String>,
    /// Custom resource kinds whose Pods podlint lints, besides the built-in ones.
    pub pod_templates: Vec<ConfiguredKind>,
    /// The cluster version removed and deprecated APIs are judged for.
    pub kubernetes_version: Option<crate::model::KubeVersion>,
    pub helm: HelmConfig,
}

/// `helm:` of the config.
#[derive(Debug, Default, Clone)]
pub struct HelmConfig {
    pub binary: Option<PathBuf>,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    /// Extra renders by chart folder, relative to the config's folder.
    pub charts: Vec<ChartRenders>,
    /// The folder of the config file that chart paths are relative to.
    pub base: PathBuf,
}

#[derive(Debug, Clone)]
pub struct ChartRenders {
    pub path: String,
    pub renders: Vec<ConfigRender>,
}

/// One render of `helm.charts.<path>.renders`: values files in order
/// (relative to the chart folder) and `--set` pairs.
#[derive(Debug, Clone, Default)]
pub struct ConfigRender {
    pub values: Vec<String>,
    pub set: Vec<(String, String)>,
}

impl Config {
    pub fn level(&self, id: &str) -> Option<Level> {
        self.rules
            .iter()
            .find(|(rule, _)| *rule == id)
            .map(|(_, level)| *level)
    }
}

/// The largest config file read: configs are a few hundred bytes.
pub const MAX_CONFIG_SIZE: ByteSize = ByteSize(1024 * 1024);

/// The nearest `.podlint.yaml` in `start` or one of its ancestors. Anything
/// of that name counts (a folder, a FIFO, a broken link): [`load`] then
/// says what is wrong with it, instead of a parent's config being used.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.symlink_metadata().is_ok())
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let name = path.display().to_string();
    match files::read(path, MAX_CONFIG_SIZE) {
        Ok(bytes) => parse(&name, source::decode(bytes).text).map(|mut config| {
            config.helm.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            config
        }),
        Err(ReadError::TooLarge(_)) => Err(ConfigError::new(
            format!("cannot read config file {name}: it is larger than {MAX_CONFIG_SIZE}, the limit for config files"),
            None,
        )),
        Err(error) => Err(ConfigError::new(
            format!("cannot read config file {name}: {error}"),
            None,
        )),
    }
}

/// A config file's mistake, shown by miette at the line where it is.
#[derive(Debug)]
pub struct ConfigError {
    message: String,
    help: Option<String>,
    /// The file and the span of the mistake; `None` when the file could not be read.
    at: Option<Box<(NamedSource<String>, Span)>>,
}

impl ConfigError {
    /// The config file's text and the span of the mistake, when it is in the file.
    pub fn location(&self) -> Option<(&str, Span)> {
        self.at.as_ref().map(|at| (at.0.inner().as_str(), at.1))
    }

    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    fn new(message: String, help: Option<String>) -> Self {
        ConfigError {
            message,
            help,
            at: None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("config"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.at.as_ref().map(|at| &at.0 as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.at.as_ref()?.1;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, span.range()),
        )))
    }
}

/// Builds errors that point into one config file.
struct Errors<'a> {
    name: &'a str,
    text: &'a str,
}

impl Errors<'_> {
    fn at(&self, span: Span, message: String, help: Option<String>) -> ConfigError {
        ConfigError {
            message: format!("{}: {message}", self.name),
            help,
            at: Some(Box::new((
                NamedSource::new(self.name, self.text.to_string()),
                span,
            ))),
        }
    }
}

const KEYS: &[&str] = &[
    "rules",
    "exclude",
    "fail-level",
    "max-file-size",
    "checks",
    "kustomize",
    "policies",
    "crds",
    "pod-templates",
    "kubernetes-version",
    "helm",
];

pub fn parse(name: &str, text: String) -> Result<Config, ConfigError> {
    let parsed = source::parse(&text);
    let errors = Errors { name, text: &text };
    if let Some(problem) = parsed.problems.first() {
        let (span, message) = match problem {
            SyntaxProblem::Invalid { span, message } => (*span, message.clone()),
            SyntaxProblem::DuplicateKey { key, span, .. } => {
                (*span, format!("key `{key}` appears twice"))
            }
        };
        return Err(errors.at(span, message, None));
    }
    let mut config = Config::default();
    let Some(document) = parsed.documents.first() else {
        return Ok(config);
    };
    if document.root.is_null() {
        return Ok(config);
    }
    if let Some(second) = parsed.documents.get(1) {
        return Err(errors.at(second.root.span, "more than one YAML document".into(), None));
    }
    let Some(entries) = document.root.as_map() else {
        return Err(errors.at(
            document.root.span,
            "the config must be a mapping with the keys rules, exclude, fail-level, max-file-size, checks, pod-templates, kubernetes-version and helm".into(),
            None,
        ));
    };
    // Checks first: `rules:` may set the level of a custom check.
    if let Some(checks) = document.root.get("checks") {
        config.checks = crate::custom::config::parse(&text, checks)
            .map_err(|problem| errors.at(problem.span, problem.message, problem.help))?;
    }
    for entry in entries {
        let key = entry.key.as_str().unwrap_or_default();
        match key {
            "checks" => {}
            "kustomize" => {
                let binary = entry.value.get("binary").and_then(Node::as_str);
                let only_binary = entry.value.as_map().is_some_and(|m| m.len() == 1);
                match binary {
                    Some(binary) if only_binary => {
                        config.kustomize_binary = Some(PathBuf::from(binary))
                    }
                    _ => return Err(errors.at(
                        entry.value.span,
                        "`kustomize` takes one key, `binary`: a kustomize or kubectl executable"
                            .into(),
                        None,
                    )),
                }
            }
            "policies" => config.policies = paths(&errors, &entry.value, "policies", "policy")?,
            "crds" => config.crds = paths(&errors, &entry.value, "crds", "CRD")?,
            "helm" => config.helm = helm(&errors, &entry.value)?,
            "rules" => config.rules = rule_levels(&errors, &entry.value)?,
            "exclude" => config.exclude = excludes(&errors, &entry.value)?,
            "pod-templates" => config.pod_templates = pod_templates(&errors, &entry.value)?,
            "fail-level" => {
                let level = entry
                    .value
                    .as_str()
                    .and_then(|text| FailLevel::from_str(text, false).ok());
                match level {
                    Some(level) => config.fail_level = Some(level),
                    None => {
                        return Err(errors.at(
                            entry.value.span,
                            "fail-level must be error, warning, info or never".into(),
                            None,
                        ))
                    }
                }
            }
            "kubernetes-version" => {
                let version = entry
                    .value
                    .as_str()
                    .ok_or_else(|| {
                        "kubernetes-version must be a version, such as \"1.29\"".to_string()
                    })
                    .and_then(str::parse);
                match version {
                    Ok(version) => config.kubernetes_version = Some(version),
                    Err(message) => return Err(errors.at(entry.value.span, message, None)),
                }
            }
            "max-file-size" => {
                let size = entry
                    .value
                    .as_str()
                    .ok_or_else(|| "max-file-size must be a size, such as 128MiB".to_string())
                    .and_then(str::parse::<ByteSize>);
                match size {
                    Ok(size) => config.max_file_size = Some(size),
                    Err(message) => {
                        return Err(errors.at(entry.value.span, message, None));
                    }
                }
            }
            _ => {
                let near = crate::rules::nearest(key, KEYS.iter().copied());
                return Err(errors.at(
                    entry.key.span,
                    format!("unknown key `{key}`"),
                    Some(match near {
                        Some(near) => format!(
                            "did you mean `{near}`? The keys are rules, exclude, fail-level, max-file-size, checks, pod-templates, kubernetes-version and helm"
                        ),
                        None => "the keys are rules, exclude, fail-level, max-file-size, checks, pod-templates, kubernetes-version and helm".into(),
                    }),
                ));
            }
        }
    }
    Ok(config)
}

fn rule_levels(
    errors: &Errors<'_>,
    node: &Node,
) -> Result<Vec<(&'static str, Level)>, ConfigError> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(entries) = node.as_map() else {
        return Err(errors.at(
            node.span,
            "`rules` must map rule ids to a severity or off".into(),
            None,
        ));
    };
    let mut levels = Vec::new();
    for entry in entries {
        let id = entry.key.as_str().unwrap_or_default();
        let Some(rule) = rules::find(id) else {
            let help = match rules::suggest(id) {
                Some(near) => format!("did you mean `{near}`? `podlint rules` lists the rule ids"),
                None => "`podlint rules` lists the rule ids".into(),
            };
            return Err(errors.at(entry.key.span, format!("unknown rule `{id}`"), Some(help)));
        };
        let Some(level) = entry.value.as_str().and_then(Level::parse) else {
            return Err(errors.at(
                entry.value.span,
                format!("bad severity for `{id}`"),
                Some("use error, warning, info or off".into()),
            ));
        };
        levels.push((rule.id, level));
    }
    Ok(levels)
}

/// A list of folders or files under `key` (`policies`, `crds`).
fn paths(
    errors: &Errors<'_>,
    node: &Node,
    key: &str,
    what: &str,
) -> Result<Vec<String>, ConfigError> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let items = node.as_seq().ok_or_else(|| {
        let folder = key.trim_end_matches('s');
        errors.at(
            node.span,
            format!("`{key}` must be a list of folders or files"),
            Some(format!("{key}: [{folder}/]")),
        )
    })?;
    items
        .iter()
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                errors.at(item.span, format!("a {what} path must be a string"), None)
            })
        })
        .collect()
}

const HELM_KEYS: &[&str] = &["binary", "release-name", "namespace", "charts"];

fn helm(errors: &Errors<'_>, node: &Node) -> Result<HelmConfig, ConfigError> {
    let mut helm = HelmConfig::default();
    if node.is_null() {
        return Ok(helm);
    }
    let Some(entries) = node.as_map() else {
        return Err(errors.at(
            node.span,
            "`helm` must be a mapping with the keys binary, release-name, namespace and charts"
                .into(),
            None,
        ));
    };
    for entry in entries {
        let key = entry.key.as_str().unwrap_or_default();
        let text = |what: &str| {
            entry.value.as_str().map(str::to_string).ok_or_else(|| {
                errors.at(
                    entry.value.span,
                    format!("`helm.{key}` must be {what}"),
                    None,
                )
            })
        };
        match key {
            "binary" => helm.binary = Some(PathBuf::from(text("a path")?)),
            "release-name" => helm.release_name = Some(text("a string")?),
            "namespace" => helm.namespace = Some(text("a string")?),
            "charts" => helm.charts = chart_renders(errors, &entry.value)?,
            _ => {
                let near = crate::rules::nearest(key, HELM_KEYS.iter().copied());
                let keys = "the keys of `helm` are binary, release-name, namespace and charts";
                return Err(errors.at(
                    entry.key.span,
                    format!("unknown key `helm.{key}`"),
                    Some(match near {
                        Some(near) => format!("did you mean `{near}`? {keys}"),
                        None => keys.into(),
                    }),
                ));
            }
        }
    }
    Ok(helm)
}

/// `helm.charts`: `<chart path>: {renders: [{values: [...], set: {k: v}}]}`.
fn chart_renders(errors: &Errors<'_>, node: &Node) -> Result<Vec<ChartRenders>, ConfigError> {
    let shape =
        "`helm.charts` maps chart folders to `renders: [{values: [files], set: {key: value}}]`";
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(charts) = node.as_map() else {
        return Err(errors.at(node.span, shape.into(), None));
    };
    let mut out = Vec::new();
    for chart in charts {
        let path = chart.key.as_str().unwrap_or_default().to_string();
        let renders = match chart.value.as_map() {
            Some([entry]) if entry.key.as_str() == Some("renders") => &entry.value,
            _ => return Err(errors.at(chart.value.span, shape.into(), None)),
        };
        let Some(items) = renders.as_seq() else {
            return Err(errors.at(renders.span, shape.into(), None));
        };
        let mut list = Vec::new();
        for item in items {
            let mut render = ConfigRender::default();
            for field in item.as_map().unwrap_or_default() {
                match (field.key.as_str().unwrap_or_default(), &field.value) {
                    ("values", value) if value.as_seq().is_some() => {
                        for file in value.as_seq().unwrap_or_default() {
                            match file.as_str() {
                                Some(file) => render.values.push(file.to_string()),
                                None => {
                                    return Err(errors.at(
                                        file.span,
                                        "a values file must be a path".into(),
                                        None,
                                    ))
                                }
                            }
                        }
                    }
                    ("set", value) if value.as_map().is_some() => {
                        for pair in value.as_map().unwrap_or_default() {
                            let key = pair.key.as_str().unwrap_or_default().to_string();
                            let Some(text) = pair.value.as_scalar() else {
                                return Err(errors.at(
                                    pair.value.span,
                                    "a `set` value must be a scalar".into(),
                                    None,
                                ));
                            };
                            render.set.push((key, text.text.to_string()));
                        }
                    }
                    _ => return Err(errors.at(field.key.span, shape.into(), None)),
                }
            }
            if item.as_map().is_none() {
                return Err(errors.at(item.span, shape.into(), None));
            }
            list.push(render);
        }
        out.push(ChartRenders {
            path,
            renders: list,
        });
    }
    Ok(out)
}

fn excludes(errors: &Errors<'_>, node: &Node) -> Result<Vec<String>, ConfigError> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(items) = node.as_seq() else {
        return Err(errors.at(
            node.span,
            "`exclude` must be a list of globs".into(),
            Some("exclude: [\"charts/**\"]".into()),
        ));
    };
    let mut globs = Vec::new();
    for item in items {
        let Some(glob) = item.as_str() else {
            return Err(errors.at(item.span, "an exclude glob must be a string".into(), None));
        };
        if let Err(error) = globset::Glob::new(glob) {
            return Err(errors.at(item.span, format!("bad glob `{glob}`: {error}"), None));
        }
        globs.push(glob.to_string());
    }
    Ok(globs)
}

const POD_TEMPLATE_KEYS: &[&str] = &["apiVersion", "kind", "paths", "runs-to-completion"];

/// `pod-templates:`: custom resource kinds and where they keep Pods.
fn pod_templates(errors: &Errors<'_>, node: &Node) -> Result<Vec<ConfiguredKind>, ConfigError> {
    const EXAMPLE: &str = "pod-templates:\n  - apiVersion: example.com/v1\n    kind: Worker\n    paths: [spec.template]\n    runs-to-completion: false";
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(items) = node.as_seq() else {
        return Err(errors.at(
            node.span,
            "`pod-templates` must be a list of kinds".into(),
            Some(EXAMPLE.into()),
        ));
    };
    let mut kinds = Vec::new();
    for item in items {
        let Some(entries) = item.as_map() else {
            return Err(errors.at(
                item.span,
                "a pod-templates entry must be a mapping with apiVersion, kind and paths".into(),
                Some(EXAMPLE.into()),
            ));
        };
        for entry in entries {
            let key = entry.key.as_str().unwrap_or_default();
            if !POD_TEMPLATE_KEYS.contains(&key) {
                let help = match crate::rules::nearest(key, POD_TEMPLATE_KEYS.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`? The keys are apiVersion, kind, paths and runs-to-completion"),
                    None => "the keys are apiVersion, kind, paths and runs-to-completion".into(),
                };
                return Err(errors.at(
                    entry.key.span,
                    format!("unknown key `{key}` in a pod-templates entry"),
                    Some(help),
                ));
            }
        }
        let text = |key: &str| -> Result<String, ConfigError> {
            match item.get(key) {
                Some(value) => value.as_str().map(str::to_string).ok_or_else(|| {
                    errors.at(value.span, format!("`{key}` must be a string"), None)
                }),
                None => Err(errors.at(
                    item.span,
                    format!("a pod-templates entry needs `{key}`"),
                    Some(EXAMPLE.into()),
                )),
            }
        };
        let api_version = text("apiVersion")?;
        let kind = text("kind")?;
        let Some(paths_node) = item.get("paths") else {
            return Err(errors.at(
                item.span,
                "a pod-templates entry needs `paths`".into(),
                Some(EXAMPLE.into()),
            ));
        };
        let Some(path_items) = paths_node.as_seq().filter(|p| !p.is_empty()) else {
            return Err(errors.at(
                paths_node.span,
                "`paths` must be a list of field paths such as spec.template".into(),
                None,
            ));
        };
        let mut paths = Vec::new();
        for path in path_items {
            let valid = path.as_str().filter(|p| {
                p.split('.').all(|part| {
                    let key = part.strip_suffix("[]").unwrap_or(part);
                    !key.is_empty() && !key.contains(['[', ']'])
                })
            });
            let Some(valid) = valid else {
                return Err(errors.at(
                    path.span,
                    "a path is keys joined by dots, `[]` after a list: spec.template, spec.workers[].template".into(),
                    None,
                ));
            };
            paths.push(valid.to_string());
        }
        let runs_to_completion = match item.get("runs-to-completion") {
            None => false,
            Some(value) => match value.as_str() {
                Some("true") => true,
                Some("false") => false,
                _ => {
                    return Err(errors.at(
                        value.span,
                        "`runs-to-completion` must be true or false".into(),
                        None,
                    ))
                }
            },
        };
        kinds.push(ConfiguredKind {
            api_version,
            kind,
            paths,
            runs_to_completion,
        });
    }
    Ok(kinds)
}
