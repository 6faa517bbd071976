//! Suppressions written in the manifests: the `podlint.io/ignore` annotation
//! of an object (or of its Pod template) and `# podlint-ignore:` comments.
//! A suppression that names no known rule is reported as
//! `unknown-suppression`, so that a typo cannot silently keep a rule on.

use crate::model::{FieldPath, Object, Target};
use crate::rules::{self, Raw, Report};
use crate::source::{Comment, LineIndex};

pub const ANNOTATION: &str = "podlint.io/ignore";
const COMMENT_PREFIX: &str = "podlint-ignore";
const RULE: &str = "unknown-suppression";

/// The rules an object's annotations silence. Unknown ids are reported in `out`.
pub fn annotated(object: &Object<'_>, out: &mut Vec<Raw>) -> Vec<&'static str> {
    let mut metadata = vec![FieldPath::root().key("metadata")];
    if let Some(kind) = object.workload_kind {
        let template = kind.template_path().key("metadata");
        if !metadata.contains(&template) {
            metadata.push(template);
        }
    }
    let mut silenced = Vec::new();
    for path in metadata {
        let path = path.key("annotations").key(ANNOTATION);
        let Some(node) = path.lookup(object.node) else {
            continue;
        };
        let target = Target::Field(object.base.join(&path));
        match node.as_str() {
            Some(value) => silenced.extend(rule_ids(value, &target, out)),
            // Annotations are strings: a list here would silently silence nothing.
            None => {
                Report::new(RULE, out)
                    .at(target, format!("`{ANNOTATION}` must be a string"))
                    .help("write the rule ids as one string: \"rule-a, rule-b\"");
            }
        }
    }
    silenced
}

/// `# podlint-ignore:` comments of a file, by the 1-based line they silence.
pub struct LineSuppressions {
    lines: Vec<(u32, Vec<&'static str>)>,
}

impl LineSuppressions {
    pub fn read(text: &str, comments: &[Comment], out: &mut Vec<Raw>) -> Self {
        if comments.is_empty() {
            return LineSuppressions { lines: Vec::new() };
        }
        let index = LineIndex::new(text);
        let mut lines = Vec::new();
        for comment in comments {
            let body = comment.text.trim_start();
            let Some(rest) = body.strip_prefix(COMMENT_PREFIX) else {
                continue;
            };
            let target = Target::Span(comment.span);
            let Some(list) = rest.trim_start().strip_prefix(':') else {
                Report::new(RULE, out)
                    .at(
                        target,
                        "malformed suppression: write `# podlint-ignore: rule-a, rule-b`",
                    )
                    .help("a suppression must name the rules it silences");
                continue;
            };
            // A second comment on the line (`# expect: ...`) is not part of the list.
            let list = list.split('#').next().unwrap_or_default();
            let ids = rule_ids(list, &target, out);
            let position = index.position(comment.span.start);
            let line_start = text
                .get(..comment.span.start as usize)
                .and_then(|before| before.rsplit('\n').next())
                .unwrap_or_default();
            // Alone on its line it silences the next line; after code, its own.
            let line = if line_start.trim().is_empty() {
                position.line + 1
            } else {
                position.line
            };
            lines.push((line, ids));
        }
        LineSuppressions { lines }
    }

    pub fn silences(&self, rule: &str, line: u32) -> bool {
        self.lines
            .iter()
            .any(|(l, ids)| *l == line && ids.contains(&rule))
    }
}

/// The known rule ids of a list such as `rule-a, rule-b`; each unknown id
/// and an empty list are reported at `target`.
fn rule_ids(list: &str, target: &Target, out: &mut Vec<Raw>) -> Vec<&'static str> {
    let mut ids = Vec::new();
    let mut report = Report::new(RULE, out);
    for word in list.split([',', ' ', '\t']).filter(|w| !w.is_empty()) {
        match rules::find(word) {
            Some(rule) => ids.push(rule.id),
            None => {
                let raw = report.at(
                    target.clone(),
                    format!("suppression names `{word}`, which is not a podlint rule"),
                );
                match rules::suggest(word) {
                    Some(near) => raw.help(format!("did you mean `{near}`?")),
                    None => raw.help("`podlint rules` lists the rule ids"),
                };
            }
        }
    }
    if list.trim().is_empty() {
        report
            .at(target.clone(), "suppression names no rule")
            .help("name the rules it silences: `rule-a, rule-b`");
    }
    ids
}
