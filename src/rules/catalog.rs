//! Rule metadata, read from the front matter of `rules/<id>.md` on first use.

use std::sync::OnceLock;

use super::{Rule, RULES};
use crate::finding::Severity;

/// A rule's default level: a severity, or off (runs only when enabled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "off" => Level::Off,
            "info" => Level::On(Severity::Info),
            "warning" => Level::On(Severity::Warning),
            "error" => Level::On(Severity::Error),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
        }
    }
}

#[derive(Debug)]
pub struct Meta {
    pub id: &'static str,
    pub level: Level,
    pub category: &'static str,
    pub summary: &'static str,
    /// The documentation after the front matter.
    pub body: &'static str,
}

/// Splits `---\nkey: value\n---\nbody` into its fields; `None` when malformed.
pub fn parse(doc: &'static str) -> Option<Meta> {
    let rest = doc.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let (front, body) = (&rest[..end], &rest[end + 5..]);
    let field = |name: &str| {
        front.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim())
        })
    };
    Some(Meta {
        id: field("id")?,
        level: Level::parse(field("severity")?)?,
        category: field("category")?,
        summary: field("summary")?,
        body: body.trim_start_matches('\n'),
    })
}

pub fn meta(rule: &Rule) -> &'static Meta {
    static TABLE: OnceLock<Vec<Meta>> = OnceLock::new();
    static MALFORMED: Meta = Meta {
        id: "",
        level: Level::Off,
        category: "",
        summary: "",
        body: "",
    };
    // A malformed doc turns its rule off rather than stopping the linter; the
    // catalog test fails on it.
    let table = TABLE.get_or_init(|| {
        RULES
            .iter()
            .map(|r| {
                parse(r.doc).unwrap_or(Meta {
                    id: r.id,
                    level: Level::Off,
                    category: "",
                    summary: "",
                    body: r.doc,
                })
            })
            .collect()
    });
    table.iter().find(|m| m.id == rule.id).unwrap_or(&MALFORMED)
}
