use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("secret-in-env", Check::Pod(check));

/// A name ending in one of these holds a secret itself.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIALS",
    "CREDS",
];

/// A name ending in `<one of these>_KEY` holds a key (API_KEY, PRIVATE_KEY).
const KEY_KINDS: &[&str] = &[
    "API",
    "PRIVATE",
    "SECRET",
    "ACCESS",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "AUTH",
];

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers() {
        for (index, var) in c.container.env.iter().flatten().enumerate() {
            let Some(value) = var.value.as_deref() else { continue };
            if !names_secret(&var.name) || !may_be_secret(value) {
                continue;
            }
            out.at(
                Target::Field(c.path.key("env").index(index).key("value")),
                format!(
                    "env var `{}` of container `{}` holds a literal secret",
                    var.name,
                    c.name()
                ),
            )
            .help("read it from a Secret (valueFrom.secretKeyRef): a literal is stored in plain text in Git, the API and every `kubectl get -o yaml`")
            .container(c.name());
        }
    }
}

/// Whether the variable's name says it holds a secret. Only the last word
/// counts, so that references to where a secret is (PASSWORD_FILE,
/// TOKEN_URL, SECRET_NAME, API_KEY_PATH) and settings about secrets
/// (TOKEN_TTL) are not taken for secrets.
fn names_secret(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else { return false };
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    last == "KEY"
        && words
            .len()
            .checked_sub(2)
            .and_then(|i| words.get(i))
            .is_some_and(|kind| KEY_KINDS.contains(&kind.as_str()))
}

/// Upper-case words of `DB_PASSWORD`, `db-password` or `dbPassword`.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            previous_lower = false;
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        if ch.is_ascii_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        word.push(ch.to_ascii_uppercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Values that cannot be a secret: empty, a switch about a secret
/// (`MYSQL_ALLOW_EMPTY_PASSWORD: "true"`, `MYSQL_RANDOM_ROOT_PASSWORD: "yes"`),
/// a reference to another variable (`$(DB_PASSWORD)`), a template filled in
/// before apply, or a file path.
fn may_be_secret(value: &str) -> bool {
    const SWITCHES: &[&str] = &["true", "false", "yes", "no", "on", "off", "1", "0"];
    let value = value.trim();
    !(value.is_empty()
        || SWITCHES.iter().any(|s| value.eq_ignore_ascii_case(s))
        || value.starts_with("$(")
        || value.starts_with("${")
        || value.contains("{{")
        || value.starts_with('/'))
}
