//! The rule catalog: one module per rule, its documentation in `rules/<id>.md`.

mod catalog;
pub mod custom;
mod security;

pub use catalog::{parse as parse_meta, Level, Meta};

use std::borrow::Cow;

use crate::finding::{Fix, Severity};
use crate::model::{Object, PodView, Target};
use crate::relations::{Report as RelationReport, Set};

/// A finding as a rule reports it, before it is located in the source.
#[derive(Debug)]
pub struct Raw {
    pub rule: &'static str,
    pub message: String,
    /// Most often the rule's own static text, which costs nothing to keep.
    pub help: Option<Cow<'static, str>>,
    pub target: Target,
    pub labels: Vec<(Target, String)>,
    /// Labels in other files, located already (an admission policy's
    /// validation, written in the policy's file).
    pub elsewhere: Vec<crate::finding::Label>,
    pub container: Option<String>,
    /// Boxed: few findings have one.
    pub fix: Option<Box<Fix>>,
    /// Instead of the rule's: an admission policy's binding decides it, or
    /// the rule says that this case is a lesser one (a placeholder).
    pub severity: Option<Severity>,
}

impl Raw {
    pub fn help(&mut self, help: impl Into<Cow<'static, str>>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(&mut self, target: Target, message: impl Into<String>) -> &mut Self {
        self.labels.push((target, message.into()));
        self
    }

    pub fn label_elsewhere(&mut self, label: crate::finding::Label) -> &mut Self {
        self.elsewhere.push(label);
        self
    }

    pub fn container(&mut self, name: &str) -> &mut Self {
        self.container = Some(name.to_string());
        self
    }

    /// Offers a mechanical fix (an editor's quick fix): only for edits that
    /// are certainly what was meant and safe to apply.
    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(Box::new(fix));
        self
    }
}

/// Where a rule reports what it finds.
pub struct Report<'a> {
    rule: &'static str,
    out: &'a mut Vec<Raw>,
    /// When set, findings past its room are counted there, not kept.
    overflow: Option<&'a mut Overflow>,
}

impl<'a> Report<'a> {
    pub fn new(rule: &'static str, out: &'a mut Vec<Raw>) -> Self {
        Report {
            rule,
            out,
            overflow: None,
        }
    }

    /// A report that keeps at most `overflow`'s room of findings in `out`
    /// and counts the others.
    pub fn bounded(rule: &'static str, out: &'a mut Vec<Raw>, overflow: &'a mut Overflow) -> Self {
        Report {
            rule,
            out,
            overflow: Some(overflow),
        }
    }

    /// A report of another rule into the same findings: a custom check
    /// that cannot be evaluated reports `custom-check-error`.
    pub fn of_rule(&mut self, rule: &'static str) -> Report<'_> {
        Report {
            rule,
            out: self.out,
            overflow: self.overflow.as_deref_mut(),
        }
    }

    pub fn at(&mut self, target: Target, message: impl Into<String>) -> &mut Raw {
        let raw = Raw {
            rule: self.rule,
            message: message.into(),
            help: None,
            target,
            labels: Vec::new(),
            elsewhere: Vec::new(),
            container: None,
            fix: None,
            severity: None,
        };
        match self.overflow.as_deref_mut() {
            Some(overflow) if self.out.len() >= overflow.room => overflow.replace_spare(raw),
            overflow => {
                // Grown by doubling, but never past the room: a Pod of many
                // containers holds 10,000 findings, not 16,384 slots.
                if let Some(overflow) = overflow.filter(|_| self.out.len() == self.out.capacity()) {
                    let room_left = overflow.room - self.out.len();
                    self.out.reserve_exact(self.out.len().max(4).min(room_left));
                }
                self.out.push(raw);
                let last = self.out.len() - 1;
                &mut self.out[last]
            }
        }
    }
}

/// Findings past the room a file has left (see
/// [`crate::engine::MAX_FINDINGS_PER_FILE`]): each is written into one
/// spare slot, which its rule fills in (an admission policy sets its
/// severity), and counted when the next one comes. A Pod of 200,000
/// containers thus never holds its millions of findings at once.
pub struct Overflow {
    room: usize,
    spare: Option<Raw>,
    /// How many findings each rule (with a severity of its own, or none)
    /// reported past the room.
    counts: Vec<(&'static str, Option<Severity>, usize)>,
}

impl Overflow {
    pub fn new(room: usize) -> Self {
        Overflow {
            room,
            spare: None,
            counts: Vec::new(),
        }
    }

    fn replace_spare(&mut self, raw: Raw) -> &mut Raw {
        self.count_spare();
        self.spare.insert(raw)
    }

    fn count_spare(&mut self) {
        let Some(raw) = self.spare.take() else {
            return;
        };
        let key = (raw.rule, raw.severity);
        match self.counts.iter_mut().find(|(r, s, _)| (*r, *s) == key) {
            Some((_, _, count)) => *count += 1,
            None => self.counts.push((raw.rule, raw.severity, 1)),
        }
    }

    /// Every finding counted: its rule, its own severity if it has one,
    /// and how many.
    pub fn into_counts(mut self) -> Vec<(&'static str, Option<Severity>, usize)> {
        self.count_spare();
        self.counts
    }
}

/// What a rule looks at.
pub enum Check {
    /// Each Pod spec (bare Pods and the templates of controllers).
    Pod(fn(&PodView<'_>, &mut Report<'_>)),
    /// Each Pod spec of a complete object: rules that report something
    /// missing skip patch fragments, which leave most fields to their base.
    CompletePod(fn(&PodView<'_>, &mut Report<'_>)),
    /// Each object with an apiVersion and kind.
    Object(fn(&Object<'_>, &mut Report<'_>)),
    /// Each complete object (not a patch fragment).
    CompleteObject(fn(&Object<'_>, &mut Report<'_>)),
    /// Found while parsing; the engine reports it.
    Syntax,
    /// The objects of a set, after every file is read (see [`crate::relations`]).
    Relation(fn(&Set<'_>, &mut RelationReport<'_>)),
    /// The run's ValidatingAdmissionPolicies, which the engine passes in.
    Policies,
    /// A custom check of `.podlint.yaml`, compiled for this run.
    Custom(&'static crate::custom::CustomCheck),
}

pub struct Rule {
    pub id: &'static str,
    /// `rules/<id>.md`: metadata in front matter, then the documentation.
    pub doc: &'static str,
    /// The default level of the front matter, read when compiling: a run
    /// picks its rules without parsing the catalog.
    pub level: Level,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rule({})", self.id)
    }
}

impl Rule {
    pub fn meta(&self) -> &'static Meta {
        catalog::meta(self)
    }

    /// Where the rule's documentation is published: a custom check's
    /// `docs` URL, else the doc in the repository.
    pub fn doc_url(&self) -> String {
        if let Check::Custom(check) = self.check {
            return check.docs.clone().unwrap_or_default();
        }
        format!(
            "{}/blob/main/rules/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.id
        )
    }
}

/// Declares a rule's `RULE` from its id, its doc in `rules/<id>.md` and its check.
macro_rules! rule {
    ($id:literal, $check:expr) => {
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            doc: include_str!(concat!("../../rules/", $id, ".md")),
            level: $crate::rules::catalog::default_level(include_str!(concat!(
                "../../rules/",
                $id,
                ".md"
            ))),
            check: $check,
        };
    };
}

macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every rule, in id order.
        pub static RULES: &[&Rule] = &[$(&$module::RULE),*];
    };
}

registry! {
    admission_policy,
    api_version_deprecated,
    autoscaler_replicas_conflict,
    autoscaler_target_missing,
    bare_pod,
    container_port_conflict,
    cpu_limit_missing,
    custom_check_error,
    dangerous_capabilities,
    database_with_web_app,
    deprecated_api_version,
    disruption_budget_blocks_eviction,
    disruption_budget_selects_nothing,
    duplicate_container_name,
    duplicate_key,
    emptydir_durable_data,
    host_namespace,
    host_path_volume,
    image_latest_tag,
    ingress_backend_missing,
    invalid_field,
    invalid_restart_policy,
    invalid_yaml,
    job_sidecar_never_exits,
    liveness_probe_missing,
    memory_limit_missing,
    network_policy_selects_nothing,
    privilege_escalation_allowed,
    privileged_container,
    read_only_root_fs_missing,
    render_failed,
    readiness_probe_missing,
    reference_key_missing,
    reference_missing,
    requests_exceed_limits,
    resource_requests_missing,
    run_as_root,
    secret_data_placeholder,
    secret_in_env,
    selector_mismatch,
    service_port_unexposed,
    service_selects_nothing,
    unknown_field,
    unknown_suppression,
    volume_claim_shared,
    volume_mount_undefined,
    volume_unused,
}

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id == id)
        .or_else(|| custom::find(id))
}

/// The built-in rules in id order, then the custom checks registered in
/// this process, in id order.
pub fn all() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = RULES.to_vec();
    rules.extend(custom::all());
    rules
}

/// The rule id closest to a mistyped one, when one is close enough to be
/// what was meant.
pub fn suggest(id: &str) -> Option<&'static str> {
    nearest(
        &id.trim().to_ascii_lowercase(),
        all().into_iter().map(|r| r.id),
    )
}

/// The candidate closest to a mistyped word (rule ids, config keys), when
/// one is close enough to be what was meant.
pub fn nearest(
    word: &str,
    candidates: impl IntoIterator<Item = &'static str>,
) -> Option<&'static str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
