//! Fingerprints that identify a finding across unrelated edits of its file.
//!
//! SARIF's `partialFingerprints` and the baseline both need to recognise "the
//! same finding" after lines were added above it, so a fingerprint hashes what
//! the finding is about (rule, file, object, container, the trimmed text of
//! the line it points at) and never its line or column. Findings that hash
//! alike in one file (two identical `- containerPort: 80` lines of one
//! container) are told apart by their order: `<hash>:1`, `<hash>:2`.

use std::collections::HashMap;
use std::hash::Hasher;

use fnv::FnvHasher;

use crate::finding::Finding;
use crate::source::LineIndex;

/// One fingerprint per finding, in order. `path` is the file as CI tools name
/// it (see [`crate::report::artifact_path`]), so that `./a.yaml` and `a.yaml`
/// agree.
pub fn fingerprints(path: &str, text: &str, findings: &[Finding]) -> Vec<String> {
    if findings.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(text);
    let mut seen: HashMap<u64, u32> = HashMap::new();
    let mut long_lines: HashMap<u32, String> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let mut line = lines
                .line_text(f.start.line.saturating_sub(1) as usize)
                .trim();
            // A huge line (minified JSON) stands in by its own hash, made
            // once: hashing it whole for each of its findings is quadratic.
            if line.len() > LONG_LINE {
                line = long_lines
                    .entry(f.start.line)
                    .or_insert_with(|| format!("{:016x}", fnv(&[line])));
            }
            let object = f.object.as_deref();
            let parts = [
                f.rule,
                path,
                object.map_or("", |o| o.kind.as_str()),
                object.and_then(|o| o.name.as_deref()).unwrap_or(""),
                object.and_then(|o| o.namespace.as_deref()).unwrap_or(""),
                f.container.as_deref().unwrap_or(""),
                line,
            ];
            let hash = fnv(&parts);
            let occurrence = seen.entry(hash).or_insert(0);
            *occurrence += 1;
            format!("{hash:016x}:{occurrence}")
        })
        .collect()
}

/// Lines longer than this are hashed once, not once per finding.
const LONG_LINE: usize = 1024;

/// FNV-1a is specified bit for bit, unlike std's hashers, so the same
/// finding hashes alike on every platform and Rust version.
fn fnv(parts: &[&str]) -> u64 {
    let mut hasher = FnvHasher::default();
    for part in parts {
        hasher.write(part.as_bytes());
        // 0xFF never occurs in UTF-8: parts cannot run into each other.
        hasher.write(&[0xFF]);
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ObjectRef, Severity};
    use crate::source::{Position, Span};

    fn finding(line: u32) -> Finding {
        let at = Position { line, column: 9 };
        Finding {
            rule: "container-port-conflict",
            severity: Severity::Error,
            message: "port 80/TCP is declared twice".into(),
            help: None,
            file: "a.yaml".into(),
            span: Span::new(0, 0),
            start: at,
            end: at,
            labels: Vec::new(),
            object: Some(std::sync::Arc::new(ObjectRef {
                kind: "Pod".into(),
                name: Some("web".into()),
                namespace: None,
            })),
            container: Some("web".into()),
            fix: None,
            target: crate::model::Target::Span(Span::new(0, 0)),
            origin: None,
        }
    }

    #[test]
    fn identical_findings_are_numbered_and_lines_do_not_count() {
        let text = "a\n- containerPort: 80\n- containerPort: 80\n";
        let twice = fingerprints("a.yaml", text, &[finding(2), finding(3)]);
        assert_eq!(
            twice[0].split_once(':').map(|p| p.0),
            twice[1].split_once(':').map(|p| p.0)
        );
        assert!(
            twice[0].ends_with(":1") && twice[1].ends_with(":2"),
            "{twice:?}"
        );

        let moved = format!("# a comment\n{text}");
        assert_eq!(
            fingerprints("a.yaml", &moved, &[finding(3), finding(4)]),
            twice
        );
        assert_ne!(fingerprints("b.yaml", text, &[finding(2)])[0], twice[0]);
    }
}
