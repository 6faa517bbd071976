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

/// The `severity` of a rule doc's front matter, for [`Rule::level`]: a
/// `const fn`, so that it is read when compiling. A malformed doc turns its
/// rule off, as in [`meta`] (and the catalog test fails on it).
pub const fn default_level(doc: &str) -> Level {
    let bytes = doc.as_bytes();
    let key = b"\nseverity:";
    let mut at = 0;
    while at + key.len() <= bytes.len() {
        if at > 0 && starts_with_at(bytes, at, b"\n---\n") {
            break;
        }
        if starts_with_at(bytes, at, key) {
            let mut value = at + key.len();
            while value < bytes.len() && bytes[value] == b' ' {
                value += 1;
            }
            return if word_at(bytes, value, b"error") {
                Level::On(Severity::Error)
            } else if word_at(bytes, value, b"warning") {
                Level::On(Severity::Warning)
            } else if word_at(bytes, value, b"info") {
                Level::On(Severity::Info)
            } else {
                Level::Off
            };
        }
        at += 1;
    }
    Level::Off
}

const fn starts_with_at(bytes: &[u8], at: usize, prefix: &[u8]) -> bool {
    if at + prefix.len() > bytes.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if bytes[at + i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `word` at `at`, followed by the end of its line.
const fn word_at(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    let end = at + word.len();
    starts_with_at(bytes, at, word)
        && (end == bytes.len() || bytes[end] == b'\n' || bytes[end] == b' ' || bytes[end] == b'\r')
}

pub fn meta(rule: &Rule) -> &'static Meta {
    if let super::Check::Custom(check) = rule.check {
        return check.meta();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_read_when_compiling_is_the_front_matters() {
        for rule in RULES {
            assert_eq!(rule.level, rule.meta().level, "{}", rule.id);
        }
        let doc = "---\nid: x\nseverity:  warning\n---\nseverity: error\n";
        assert_eq!(default_level(doc), Level::On(Severity::Warning));
        assert_eq!(default_level("---\nseverity: warnings\n---\n"), Level::Off);
        assert_eq!(
            default_level("---\nid: x\n---\nseverity: error\n"),
            Level::Off
        );
    }
}
