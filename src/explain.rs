//! `podlint explain`: a rule's Markdown documentation rendered for a terminal.

use crate::rules::Rule;

const BOLD: &str = "\x1b[1m";
const CODE: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Headings in bold, code blocks indented (and coloured when `color`), the
/// fences and heading markers removed; prose is kept as written.
pub fn render(rule: &Rule, color: bool) -> String {
    let meta = rule.meta();
    let style = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let fix = match meta.fix {
        Some(kind) => format!(
            "Fix: {} (`podlint check --fix{}`)\n",
            kind.as_str(),
            match kind {
                crate::fix::Applicability::Safe => "",
                crate::fix::Applicability::Unsafe => " --unsafe-fixes",
            }
        ),
        None => "Fix: none\n".to_string(),
    };
    let mut out = format!(
        "{}  {}  {}\n{}\n{fix}",
        style(BOLD, rule.id),
        meta.level.as_str(),
        style(DIM, meta.category),
        meta.summary
    );
    let mut in_code = false;
    for line in meta.body.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str(&format!("    {}\n", style(CODE, line)));
        } else if let Some(title) = line.strip_prefix("## ") {
            out.push_str(&format!("{}\n", style(BOLD, &title.to_uppercase())));
        } else if line.starts_with("# ") {
            // The title repeats the id printed above.
            continue;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    // The first heading is skipped, so the blank line after it is doubled.
    out.replace("\n\n\n", "\n\n")
}
