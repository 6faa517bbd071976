//! Reading the `checks:` of `.podlint.yaml`: every field checked at its
//! span, every expression compiled, and a compile error placed at the line
//! and column of the config file where the compiler stopped.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::{CustomCheck, Match, Message, On};
use crate::cel;
use crate::model::{ContainerRole, FieldPath};
use crate::rules::{self, Level, Rule};
use crate::source::{Node, Span, Value};

/// A mistake in a check, at its span in the config file.
#[derive(Debug)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

fn problem(span: Span, message: impl Into<String>) -> Problem {
    Problem {
        span,
        message: message.into(),
        help: None,
    }
}

const KEYS: &[&str] = &[
    "id",
    "severity",
    "summary",
    "help",
    "docs",
    "match",
    "expression",
    "message",
    "messageExpression",
    "path",
];

/// Compiles and registers the checks of `node` (the value of `checks:`);
/// `text` is the config file's text.
pub fn parse(text: &str, node: &Node) -> Result<Vec<&'static Rule>, Problem> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(items) = node.as_seq() else {
        return Err(problem(node.span, "`checks` must be a list of checks"));
    };
    let mut parsed: Vec<CustomCheck> = Vec::new();
    for item in items {
        let check = parse_check(text, item)?;
        if parsed.iter().any(|other| other.id == check.id) {
            let span = item.get("id").map_or(item.span, |id| id.span);
            return Err(problem(
                span,
                format!("two checks have the id `{}`", check.id),
            ));
        }
        parsed.push(check);
    }
    Ok(parsed.into_iter().map(rules::custom::register).collect())
}

fn string<'a>(item: &'a Node, key: &str) -> Result<Option<&'a str>, Problem> {
    match item.get(key) {
        None => Ok(None),
        Some(value) if value.is_null() => Ok(None),
        Some(value) => match &value.value {
            Value::Scalar(scalar) => Ok(Some(&scalar.text)),
            _ => Err(problem(value.span, format!("`{key}` must be a string"))),
        },
    }
}

fn required<'a>(item: &'a Node, key: &str) -> Result<&'a str, Problem> {
    string(item, key)?.ok_or_else(|| problem(item_span(item), format!("a check needs `{key}`")))
}

/// The span of a check's first line, where a missing field is reported.
fn item_span(item: &Node) -> Span {
    item.as_map()
        .and_then(|entries| entries.first())
        .map_or(item.span, |entry| entry.key.span.to(entry.value.span))
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn parse_check(text: &str, item: &Node) -> Result<CustomCheck, Problem> {
    let Some(entries) = item.as_map() else {
        return Err(problem(
            item.span,
            "a check must be a mapping with id, summary, expression and message",
        ));
    };
    if let Some(entry) = entries
        .iter()
        .find(|entry| !KEYS.contains(&entry.key.as_str().unwrap_or_default()))
    {
        let key = entry.key.as_str().unwrap_or_default();
        let mut error = problem(entry.key.span, format!("unknown key `{key}` in a check"));
        error.help = Some(match rules::nearest(key, KEYS.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? The keys are {}", KEYS.join(", ")),
            None => format!("the keys are {}", KEYS.join(", ")),
        });
        return Err(error);
    }
    let id = required(item, "id")?;
    let id_span = item.get("id").map_or(item.span, |n| n.span);
    if !is_kebab_case(id) {
        return Err(problem(
            id_span,
            format!("check id `{id}` must be kebab-case, such as `image-from-internal-registry`"),
        ));
    }
    if rules::RULES.iter().any(|rule| rule.id == id) {
        return Err(problem(
            id_span,
            format!("`{id}` is a built-in rule id; give the check an id of its own"),
        ));
    }
    let level = match string(item, "severity")? {
        None => Level::On(crate::finding::Severity::Warning),
        Some(text) => Level::parse(text).ok_or_else(|| Problem {
            span: item.get("severity").map_or(item.span, |n| n.span),
            message: format!("bad severity `{text}` for check `{id}`"),
            help: Some("use error, warning, info or off".into()),
        })?,
    };
    let summary = required(item, "summary")?;
    let expression_node = item
        .get("expression")
        .ok_or_else(|| problem(item_span(item), "a check needs `expression`"))?;
    let expression = compile(text, expression_node)?;
    let message = match (string(item, "message")?, item.get("messageExpression")) {
        (Some(text_message), None) => Message::Text(text_message.to_string()),
        (None, Some(node)) => Message::Expression(compile(text, node)?),
        (Some(_), Some(node)) => {
            return Err(problem(
                node.span,
                "a check has `message` or `messageExpression`, not both",
            ))
        }
        (None, None) => Message::Text(summary.to_string()),
    };
    let path = match string(item, "path")? {
        None => None,
        Some(written) => Some(parse_path(written).ok_or_else(|| {
            let span = item.get("path").map_or(item.span, |n| n.span);
            problem(span, format!("bad path `{written}`; write it as `resources.limits.memory`, `ports[0].hostPort` or `metadata.labels[\"app.kubernetes.io/name\"]`"))
        })?),
    };
    let matcher = match item.get("match") {
        None => Match {
            api_versions: Vec::new(),
            kinds: Vec::new(),
            on: On::Object,
            containers: ALL_ROLES.to_vec(),
        },
        Some(node) => parse_match(node)?,
    };
    let span = item.span;
    let line = text[..(span.start as usize).min(text.len())]
        .matches('\n')
        .count()
        + 1;
    let mut check = CustomCheck {
        id: id.to_string(),
        definition: text.get(span.range()).unwrap_or_default().to_string(),
        level,
        summary: summary.to_string(),
        help: string(item, "help")?.map(str::to_string),
        docs: string(item, "docs")?.map(str::to_string),
        matcher,
        expression,
        message,
        path,
        doc: String::new(),
        meta: OnceLock::new(),
    };
    check.doc = super::doc(&check, line);
    Ok(check)
}

const ALL_ROLES: [ContainerRole; 3] = [
    ContainerRole::Init,
    ContainerRole::Sidecar,
    ContainerRole::Regular,
];

fn strings(node: &Node, key: &str) -> Result<Vec<String>, Problem> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(items) = node.as_seq() else {
        return Err(problem(node.span, format!("`{key}` must be a list")));
    };
    items
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| problem(item.span, format!("an item of `{key}` must be a string")))
        })
        .collect()
}

fn parse_match(node: &Node) -> Result<Match, Problem> {
    let Some(entries) = node.as_map() else {
        return Err(problem(
            node.span,
            "`match` must be a mapping with apiVersions, kinds, on and containers",
        ));
    };
    let mut matcher = Match {
        api_versions: Vec::new(),
        kinds: Vec::new(),
        on: On::Object,
        containers: ALL_ROLES.to_vec(),
    };
    for entry in entries {
        let key = entry.key.as_str().unwrap_or_default();
        let value = &entry.value;
        match key {
            "apiVersions" => matcher.api_versions = strings(value, key)?,
            "kinds" => matcher.kinds = strings(value, key)?,
            "on" => {
                matcher.on = match value.as_str() {
                    Some("object") => On::Object,
                    Some("pod") => On::Pod,
                    Some("container") => On::Container,
                    _ => return Err(problem(value.span, "`on` must be object, pod or container")),
                }
            }
            "containers" => {
                matcher.containers = strings(value, key)?
                    .iter()
                    .zip(value.as_seq().unwrap_or_default())
                    .map(|(role, node)| match role.as_str() {
                        "init" => Ok(ContainerRole::Init),
                        "sidecar" => Ok(ContainerRole::Sidecar),
                        "regular" => Ok(ContainerRole::Regular),
                        _ => Err(problem(
                            node.span,
                            "a container kind is init, sidecar or regular",
                        )),
                    })
                    .collect::<Result<_, _>>()?;
            }
            _ => {
                return Err(Problem {
                    span: entry.key.span,
                    message: format!("unknown key `{key}` in `match`"),
                    help: Some("the keys are apiVersions, kinds, on and containers".into()),
                })
            }
        }
    }
    if matcher.on != On::Container && entries.iter().any(|e| e.key.as_str() == Some("containers")) {
        let span = node.get("containers").map_or(node.span, |n| n.span);
        return Err(problem(
            span,
            "`containers` applies only with `on: container`",
        ));
    }
    Ok(matcher)
}

/// Compiles the expression of `node`; an error is placed where the
/// compiler stopped, in the config file.
fn compile(text: &str, node: &Node) -> Result<cel::Expression, Problem> {
    let Some(scalar) = node.as_scalar() else {
        return Err(problem(node.span, "an expression must be a string"));
    };
    cel::compile(&scalar.text).map_err(|error| {
        let offset = char_offset(&scalar.text, error.line, error.column);
        let at = locate_in_source(text, node.span, &scalar.text, offset);
        Problem {
            span: Span::new(at, at + 1),
            message: format!("the expression does not compile: {}", error.message),
            help: Some(format!(
                "at line {} column {} of the expression",
                error.line,
                error.column + 1
            )),
        }
    })
}

/// The byte offset in `expression` of a 1-based line and 0-based column.
fn char_offset(expression: &str, line: usize, column: usize) -> usize {
    let line_start: usize = expression
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &expression[line_start.min(expression.len())..];
    line_start
        + rest
            .char_indices()
            .nth(column)
            .map_or(rest.len(), |(i, _)| i)
}

/// Where byte `offset` of a scalar's value lies in the config's text. The
/// value's characters are found in order in the scalar's source (quotes,
/// indentation and line folding are what lies between them); an escape
/// that breaks the walk places it at the scalar's start.
fn locate_in_source(text: &str, span: Span, value: &str, offset: usize) -> usize {
    let source = text.get(span.range()).unwrap_or_default();
    let mut at = 0;
    for (i, c) in value.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        match source[at..].find(c) {
            Some(found) => {
                if i >= offset {
                    return span.start as usize + at + found;
                }
                at += found + c.len_utf8();
            }
            None => return span.start as usize,
        }
    }
    span.start as usize + at.min(source.len())
}

/// `resources.limits.memory`, `ports[0].hostPort`,
/// `metadata.labels["app.kubernetes.io/name"]`.
pub fn parse_path(written: &str) -> Option<FieldPath> {
    let mut path = FieldPath::root();
    let mut rest = written.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = &after[..end];
            path = match inside.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(key) => path.key(Cow::Owned(key.to_string())),
                None => path.index(inside.parse().ok()?),
            };
            rest = &after[end + 1..];
        } else {
            let rest_trimmed = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_trimmed.find(['.', '[']).unwrap_or(rest_trimmed.len());
            let key = &rest_trimmed[..end];
            if key.is_empty() {
                return None;
            }
            path = path.key(Cow::Owned(key.to_string()));
            rest = &rest_trimmed[end..];
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_keys_indices_and_quoted_keys() {
        let shown = |p: &str| parse_path(p).map(|p| p.to_string());
        assert_eq!(
            shown("resources.limits.memory").as_deref(),
            Some("resources.limits.memory")
        );
        assert_eq!(
            shown("ports[0].hostPort").as_deref(),
            Some("ports[0].hostPort")
        );
        assert_eq!(
            shown("metadata.labels[\"app.kubernetes.io/name\"]").as_deref(),
            Some("metadata.labels.app.kubernetes.io/name")
        );
        assert_eq!(shown("a..b"), None);
        assert_eq!(shown("ports[x]"), None);
    }

    #[test]
    fn a_compile_error_is_placed_in_the_source() {
        // Plain, quoted and folded scalars: the `)` after `image` is at the
        // same place of the value, and found in the source.
        let text = "x: container.image.startsWith('a'))\n";
        let span = Span::new(3, text.len() - 1);
        let value = "container.image.startsWith('a'))";
        let at = locate_in_source(text, span, value, value.len() - 1);
        assert_eq!((at, &text[at..at + 1]), (3 + 31, ")"));
        let folded = "x: >-\n  container.image\n  .startsWith(1))\n";
        let value = "container.image .startsWith(1))";
        let span = Span::new(3, folded.len());
        let at = locate_in_source(folded, span, value, value.len() - 1);
        assert_eq!(&folded[at..at + 1], ")");
        assert_eq!(at, folded.len() - 2);
    }
}
