//! helm's error messages, read for the file, line and column they name.

use std::path::Path;

/// What a failed `helm template` says, made into a place and a message.
#[derive(Debug, PartialEq, Eq)]
pub struct HelmError {
    /// Relative to the chart folder (`templates/deployment.yaml`,
    /// `Chart.yaml`), when helm names a file of the chart.
    pub file: Option<String>,
    /// 1-based; 0 when helm names no line.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

/// Reads helm's standard error. `chart_name` is the `name:` of Chart.yaml,
/// which helm puts before the paths of templates (`web/templates/x.yaml`).
pub fn parse(stderr: &str, chart_name: &str) -> HelmError {
    let message = one_paragraph(stderr);
    if let Some(missing) = message.split("missing in charts/ directory:").nth(1) {
        let names = missing.trim().trim_end_matches('.').to_string();
        return HelmError {
            file: Some("Chart.yaml".into()),
            line: 0,
            column: 0,
            message: format!("dependencies of Chart.yaml are missing from charts/: {names}"),
            help: Some("run `helm dependency build` in the chart folder to fetch them".into()),
        };
    }
    let (file, line, column) = located(&message, chart_name).unwrap_or((None, 0, 0));
    HelmError {
        file,
        line,
        column,
        message: format!("helm template failed: {message}"),
        help: None,
    }
}

/// The error without helm's `Error:` prefix and `--debug` advice, on one line.
fn one_paragraph(stderr: &str) -> String {
    stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("Use --debug flag"))
        .map(|line| line.strip_prefix("Error: ").unwrap_or(line))
        // helm prints warnings (a deprecated chart, a symlink: the links of
        // podlint's copy too) before the error.
        .filter(|line| {
            !line.starts_with("walk.go:")
                && !line.starts_with("WARNING:")
                && !line.contains("found symbolic link in path")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first `<chart>/path:line[:column]` (or `YAML parse error on
/// <chart>/path`) in the message: path relative to the chart folder.
fn located(message: &str, chart_name: &str) -> Option<(Option<String>, usize, usize)> {
    let prefix = format!("{chart_name}/");
    let mut search = 0;
    while let Some(found) = message[search..].find(&prefix) {
        let start = search + found;
        search = start + prefix.len();
        let boundary = message[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == '(' || c == '"');
        if !boundary {
            continue;
        }
        let rest = &message[start + prefix.len()..];
        let end = rest
            .find(|c: char| c == ':' || c == ')' || c == '"' || c.is_whitespace())
            .unwrap_or(rest.len());
        let path = &rest[..end];
        if path.is_empty() || Path::new(path).extension().is_none() {
            continue;
        }
        let mut numbers = rest[end..]
            .strip_prefix(':')
            .unwrap_or("")
            .split(':')
            .map_while(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                let whole = digits.len() == part.len();
                digits.parse::<usize>().ok().map(|n| (n, whole))
            });
        let (line, column) = match numbers.next() {
            Some((line, true)) => (line, numbers.next().map_or(0, |(c, _)| c)),
            Some((line, false)) => (line, 0),
            None => (0, 0),
        };
        return Some((Some(path.to_string()), line, column));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stderr: &str) -> (Option<String>, usize, usize) {
        let error = parse(stderr, "web");
        (error.file, error.line, error.column)
    }

    #[test]
    fn helm_errors_name_the_template_line_and_column() {
        let nil = "Error: web/templates/d.yaml:15:18\n  executing \"web/templates/d.yaml\" at <.Values.missing.x>:\n    nil pointer evaluating interface {}.x\n\nUse --debug flag to render out invalid YAML\n";
        assert_eq!(at(nil), (Some("templates/d.yaml".into()), 15, 18));
        let fail = "Error: execution error at (web/templates/d.yaml:15:11): boom\n";
        assert_eq!(at(fail), (Some("templates/d.yaml".into()), 15, 11));
        // helm 4 says so of every link of the temporary copy.
        let linked = format!("level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\" path=/tmp/x/web/values.yaml resolved=/src/web/values.yaml\n{fail}");
        assert_eq!(parse(&linked, "web"), parse(fail, "web"));
        assert_eq!(
            parse(fail, "web").message,
            "helm template failed: execution error at (web/templates/d.yaml:15:11): boom"
        );
        let parse_error = "Error: parse error at (web/templates/d.yaml:16): missing value for if\n";
        assert_eq!(at(parse_error), (Some("templates/d.yaml".into()), 16, 0));
        let yaml = "Error: YAML parse error on web/charts/db/templates/s.yaml: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context\n";
        assert_eq!(at(yaml), (Some("charts/db/templates/s.yaml".into()), 0, 0));
    }

    #[test]
    fn a_missing_dependency_points_at_chart_yaml() {
        let stderr = "Error: an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: redis-ha\n";
        let error = parse(stderr, "argo-cd");
        assert_eq!(error.file.as_deref(), Some("Chart.yaml"));
        assert_eq!(
            error.message,
            "dependencies of Chart.yaml are missing from charts/: redis-ha"
        );
    }
}
