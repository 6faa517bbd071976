//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.
//!
//! Every rule of the catalog is listed in `tool.driver.rules` (off rules with
//! `enabled: false`) so that `ruleIndex` is the rule's place in the registry
//! and viewers can show any rule's documentation. `tests/sarif.rs` validates
//! the output against the official schema.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{artifact_path, pretty_items, ArtifactPath};
use crate::finding::{Finding, ObjectRef, Severity};
use crate::rules::{self, Level, RULES};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// The key of podlint's own fingerprint in `partialFingerprints` (SARIF asks
/// for a versioned name, so that a new scheme can live beside the old one).
const FINGERPRINT_KEY: &str = "podlint/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, Location>>,
    /// podlint's columns count characters (DESIGN.md), not UTF-16 units.
    column_kind: &'static str,
    /// Before the invocation, which names what the run could not read:
    /// results are written as files are linted, and the invocation once
    /// the run is over (key order in a JSON object means nothing).
    results: Vec<SarifResult<'a>>,
    invocations: [Invocation; 1],
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    /// Custom checks without a `docs` URL have none.
    #[serde(skip_serializing_if = "String::is_empty")]
    help_uri: String,
    default_configuration: Configuration,
    properties: Tags,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    enabled: bool,
    level: &'static str,
}

#[derive(Serialize)]
struct Tags {
    tags: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [ResultLocation; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    /// None for the line of a chart's rendered output, which is no file.
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Location,
    region: Region,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
}

/// How deep `runs[0].results` items sit in the log (see [`super::pretty_at`]).
const RESULT_DEPTH: usize = 4;

/// One file's findings, each with its fingerprint, as items of the
/// `results` array (without the separator before the first).
pub fn results(findings: &[Finding], fingerprints: &[String], cwd: Option<&Path>) -> String {
    let Some(first) = findings.first() else {
        return String::new();
    };
    let location = location(&artifact_path(&first.file, cwd));
    let results = findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| result(f, fingerprint, &location, cwd));
    pretty_items(results, RESULT_DEPTH)
}

fn result<'a>(
    f: &'a Finding,
    fingerprint: &'a str,
    location: &Location,
    cwd: Option<&Path>,
) -> SarifResult<'a> {
    SarifResult {
        rule_id: f.rule,
        // Findings come from registered rules only, so the lookup
        // always succeeds; 0 keeps the output valid if it did not.
        rule_index: rule_index(f.rule),
        level: level(f.severity),
        message: Text {
            text: super::message_with_help(f),
        },
        related_locations: f
            .labels
            .iter()
            .map(|label| RelatedLocation {
                id: 0,
                physical_location: Some(PhysicalLocation {
                    artifact_location: match &label.file {
                        Some(file) => self::location(&artifact_path(file, cwd)),
                        None => location.clone(),
                    },
                    region: Region {
                        start_line: label.start.line,
                        start_column: label.start.column,
                        end_line: None,
                        end_column: None,
                    },
                }),
                message: Text {
                    text: label.message.clone(),
                },
            })
            .chain(f.origin.iter().map(|origin| RelatedLocation {
                id: 0,
                physical_location: None,
                message: Text {
                    text: super::rendered_note(origin),
                },
            }))
            .enumerate()
            .map(|(i, related)| RelatedLocation {
                id: i + 1,
                ..related
            })
            .collect(),
        locations: [ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location: location.clone(),
                region: Region {
                    start_line: f.start.line,
                    start_column: f.start.column,
                    end_line: Some(f.end.line),
                    end_column: Some(f.end.column),
                },
            },
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        properties: ResultProperties {
            object: f.object.as_deref(),
            container: f.container.as_deref(),
        },
    }
}

/// The whole log: the results of every file (see [`results`]), in order, and
/// why paths were not linted (as tool notifications: the run did not see
/// everything). It is written once the run is over, as the
/// notifications come before the results.
pub fn head(cwd: Option<&Path>) -> String {
    let log = whole_log(&[], &[], cwd);
    let (before, _) = log.split_once(EMPTY_RESULTS).unwrap_or((&log, ""));
    format!("{before}\"results\": [")
}

/// The log after the last result: the results' closing bracket (`results`
/// tells whether there were any) and the invocation.
pub fn tail(
    results: bool,
    unreadable: &[String],
    templates: &[String],
    cwd: Option<&Path>,
) -> String {
    let log = whole_log(unreadable, templates, cwd);
    let (_, after) = log.split_once(EMPTY_RESULTS).unwrap_or(("", &log));
    let close = if results {
        format!("\n{}]", "  ".repeat(RESULT_DEPTH - 1))
    } else {
        "]".to_string()
    };
    format!("{close}{after}\n")
}

/// How an empty results array is printed: the first such text in the log,
/// as strings escape their quotes.
const EMPTY_RESULTS: &str = "\"results\": []";

fn whole_log(unreadable: &[String], templates: &[String], cwd: Option<&Path>) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&log(Vec::new(), unreadable, templates, cwd)).unwrap_or_default()
}

fn log<'a>(
    results: Vec<SarifResult<'a>>,
    unreadable: &[String],
    templates: &[String],
    cwd: Option<&Path>,
) -> Log<'a> {
    let skipped = super::skipped_templates(templates).map(|text| Notification {
        level: "note",
        message: Text { text },
    });
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool { driver: driver() },
            invocations: [Invocation {
                execution_successful: unreadable.is_empty(),
                tool_execution_notifications: unreadable
                    .iter()
                    .map(|message| Notification {
                        level: "error",
                        message: Text {
                            text: message.clone(),
                        },
                    })
                    .chain(skipped)
                    .collect(),
            }],
            original_uri_base_ids: cwd.map(|cwd| {
                let mut uri = file_uri(&artifact_path(&cwd.to_string_lossy(), None).path);
                if !uri.ends_with('/') {
                    uri.push('/');
                }
                BTreeMap::from([(
                    SRCROOT,
                    Location {
                        uri,
                        uri_base_id: None,
                    },
                )])
            }),
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

/// The rule's place in `tool.driver.rules`: the built-in rules, then the
/// custom checks of the run.
fn rule_index(id: &str) -> usize {
    RULES.iter().position(|r| r.id == id).unwrap_or_else(|| {
        let custom = rules::custom::all();
        RULES.len() + custom.iter().position(|r| r.id == id).unwrap_or(0)
    })
}

fn driver() -> Driver {
    let repository = env!("CARGO_PKG_REPOSITORY");
    Driver {
        name: "podlint",
        version: env!("CARGO_PKG_VERSION"),
        semantic_version: env!("CARGO_PKG_VERSION"),
        information_uri: repository,
        rules: rules::all()
            .iter()
            .map(|rule| {
                let meta = rule.meta();
                let (enabled, level) = match meta.level {
                    Level::On(severity) => (true, level(severity)),
                    Level::Off => (false, "none"),
                };
                Descriptor {
                    id: rule.id,
                    name: pascal_case(rule.id),
                    short_description: Text {
                        text: meta.summary.to_string(),
                    },
                    full_description: Text {
                        text: section(meta.body, "What it checks")
                            .unwrap_or(meta.summary)
                            .to_string(),
                    },
                    help: Help {
                        text: meta.body,
                        markdown: meta.body,
                    },
                    help_uri: rule.doc_url(),
                    default_configuration: Configuration { enabled, level },
                    properties: Tags {
                        tags: [meta.category],
                    },
                }
            })
            .collect(),
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(path: &ArtifactPath) -> Location {
    if path.relative {
        Location {
            uri: percent_encode(&path.path),
            uri_base_id: Some(SRCROOT),
        }
    } else {
        Location {
            uri: file_uri(&path.path),
            uri_base_id: None,
        }
    }
}

fn file_uri(absolute: &str) -> String {
    let encoded = percent_encode(absolute);
    // `C:/x` on Windows needs the extra slash of `file:///C:/x`.
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Escapes everything but unreserved characters and `/` (RFC 3986), so that
/// file names with spaces, `#` or `%` stay one valid URI reference. A byte
/// of a name that is not UTF-8, which podlint shows as `\xFF` (see
/// `discover::display_name`), is encoded as itself (`%FF`): the URI names
/// the file on disk.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let bytes = path.as_bytes();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if let Some(raw) = escaped_byte(&bytes[at..]) {
            out.push_str(&format!("%{raw:02X}"));
            at += 4;
            continue;
        }
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
        at += 1;
    }
    out
}

/// The byte of a `\xNN` escape at the start of `text`, when it is one
/// UTF-8 cannot hold alone (0x80 and above).
fn escaped_byte(text: &[u8]) -> Option<u8> {
    let hex = text.strip_prefix(b"\\x")?.get(..2)?;
    let byte = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    (byte >= 0x80).then_some(byte)
}

/// `memory-limit-missing` -> `MemoryLimitMissing`: SARIF's `name` is an
/// identifier, while the id stays the kebab-case users type.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// The text of a `## heading` section of a rule doc, without the heading.
fn section<'a>(body: &'a str, heading: &str) -> Option<&'a str> {
    let marker = format!("## {heading}\n");
    let start = body.find(&marker)? + marker.len();
    let rest = &body[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_is_not_a_path_character() {
        assert_eq!(percent_encode("a b/c#1%.yaml"), "a%20b/c%231%25.yaml");
        // A name's bytes that are not UTF-8, shown `\xFF`, are their own bytes.
        assert_eq!(percent_encode("b\\xFFd\\x41.yaml"), "b%FFd%5Cx41.yaml");
        assert_eq!(file_uri("/srv/k8s"), "file:///srv/k8s");
    }

    #[test]
    fn the_log_assembled_from_parts_is_the_log_printed_whole() {
        let findings = crate::finding::tests::examples();
        let fingerprints = vec!["a:1".to_string(), "b:1".to_string()];
        let cwd = Some(Path::new("/repo"));
        let unreadable = ["cannot read gone.yaml: not found".to_string()];
        let templates = ["chart/templates/web.yaml".to_string()];
        let parts = [
            results(&findings[..1], &fingerprints[..1], cwd),
            String::new(),
            results(&findings[1..], &fingerprints[1..], cwd),
        ];
        let location = location(&artifact_path(&findings[0].file, cwd));
        let whole = log(
            findings
                .iter()
                .zip(&fingerprints)
                .map(|(f, p)| result(f, p, &location, cwd))
                .collect(),
            &unreadable,
            &templates,
            cwd,
        );
        let expected = serde_json::to_string_pretty(&whole).unwrap_or_default() + "\n";
        assert_eq!(assembled(parts, &unreadable, &templates, cwd), expected);
        let empty =
            serde_json::to_string_pretty(&log(Vec::new(), &[], &[], cwd)).unwrap_or_default();
        assert_eq!(assembled([String::new()], &[], &[], cwd), empty + "\n");
    }

    /// The log as the writer streams it: head, results, tail.
    fn assembled(
        parts: impl IntoIterator<Item = String>,
        unreadable: &[String],
        templates: &[String],
        cwd: Option<&Path>,
    ) -> String {
        let mut out = Vec::new();
        let output = crate::report::Output::Report(crate::report::Format::Sarif);
        let mut writer = crate::report::Writer::new(output, &mut out, cwd);
        for part in parts {
            writer.part(part);
        }
        let finished = writer.finish(&crate::report::Totals {
            files: 0,
            stats: crate::engine::Stats::default(),
            errors: 0,
            warnings: 0,
            infos: 0,
            elapsed: None,
            summary: true,
            unreadable,
            templates,
            by_rule: &[],
            cwd,
        });
        assert!(finished.is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn names_are_pascal_case_ids() {
        assert_eq!(pascal_case("memory-limit-missing"), "MemoryLimitMissing");
    }

    #[test]
    fn full_description_is_the_what_it_checks_section() {
        let body = "# x\n\n## What it checks\n\nOne thing.\n\n## Why it matters\n\nBecause.\n";
        assert_eq!(section(body, "What it checks"), Some("One thing."));
        assert_eq!(section(body, "Nothing"), None);
    }
}
