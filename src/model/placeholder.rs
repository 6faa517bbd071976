//! Values written for a human to replace before applying: `<your-token>`,
//! `${TOKEN}`, `REPLACE_ME`, `...base64 encoded data...`.

/// Words that mark a value as a note to the reader rather than data.
const MARKERS: &[&str] = &[
    "replace",
    "insert",
    "changeme",
    "change_me",
    "change-me",
    "your",
    "todo",
    "fixme",
    "placeholder",
    "encoded",
    "xxx",
    "...",
];

/// Whether `text` reads as a placeholder. Used on values that already failed
/// to decode, so it may be generous.
pub fn looks_like_placeholder(text: &str) -> bool {
    let text = text.trim();
    let wrapped = |open: &str, close: &str| text.starts_with(open) && text.ends_with(close);
    if wrapped("<", ">") || wrapped("${", "}") || wrapped("$(", ")") || wrapped("{{", "}}") {
        return true;
    }
    // `ROLLOUT_NAME`, `IMAGE_TAG`: a token that a script substitutes.
    let token = text.contains('_')
        && text.bytes().any(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let lower = text.to_ascii_lowercase();
    token || MARKERS.iter().any(|marker| lower.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::looks_like_placeholder;

    #[test]
    fn notes_to_the_reader_are_placeholders() {
        for text in [
            "<base64 encoded certificate>",
            "<insert-secret-here>",
            "${TOKEN}",
            "$(CATALOG_PASSWORD)",
            "REPLACE_ME",
            "...base64 encoded data...",
            "{{ .token }}",
            "ROLLOUT_NAME",
            "<ADD LUN ID Here>",
        ] {
            assert!(looks_like_placeholder(text), "{text}");
        }
    }

    #[test]
    fn broken_data_is_not_a_placeholder() {
        for text in [
            "YWRt\\\\\\/////aW4=",
            "hunter2!",
            "c2VjcmV0=x",
            "not base64!",
            "NGINX",
            "Web_1",
        ] {
            assert!(!looks_like_placeholder(text), "{text}");
        }
    }
}
