use crate::model::{Object, Target};
use crate::rules::{Check, Report};
use crate::source::Value;

rule!("secret-data-placeholder", Check::Object(check));

/// Each value of a Secret's `data` that did not decode as base64 and reads
/// as a note to the reader; invalid-field leaves these out.
fn check(object: &Object<'_>, out: &mut Report<'_>) {
    if object.kind != "Secret" {
        return;
    }
    let Some(Value::Map(entries)) = object.node.get("data").map(|data| &data.value) else {
        return;
    };
    let placeholders = object
        .typing
        .type_errors
        .iter()
        .filter(|error| error.placeholder);
    for error in placeholders {
        let Some(entry) = entries.iter().find(|entry| entry.value.span == error.span) else {
            continue;
        };
        let key = entry.key.as_str().unwrap_or_default();
        let text = entry.value.as_str().map(str::trim).unwrap_or_default();
        out.at(
            Target::Span(error.span),
            format!("`{key}` holds the placeholder `{}`, not base64: replace it before applying", shorten(text)),
        )
        .help("put the real value here, base64-encoded (or as plain text under stringData), or generate the Secret (secretGenerator, an external secrets operator)");
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}
