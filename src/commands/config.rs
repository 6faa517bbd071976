//! `podlint config [PATH]`: which `.podlint.yaml` applies to a file or
//! folder, and the settings it leads to, printed as a config would say them.

use std::fmt::Write as _;
use std::path::Path;

use clap::ValueEnum;

use super::check::FileConfig;
use super::{print_diagnostic, say, write_stdout, EXIT_USAGE};
use crate::cli::CheckArgs;
use crate::config_lookup::ConfigLookup;
use crate::discover;
use crate::rules::RULES;

pub fn run(path: Option<&Path>, config: Option<&Path>) -> u8 {
    let path = path.unwrap_or(Path::new("."));
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => {
            say!(
                "podlint: error: cannot read {}: {}",
                path.display(),
                discover::io_reason(&error)
            );
            return EXIT_USAGE;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let lookup = ConfigLookup::new(cwd, config, |applied| {
        FileConfig::new(&CheckArgs::default(), applied)
    });
    let mut lookup = match lookup {
        Ok(lookup) => lookup,
        Err(error) => {
            print_diagnostic(&error);
            return EXIT_USAGE;
        }
    };
    let applied = if metadata.is_dir() {
        lookup.for_folder(path)
    } else {
        lookup.for_file(path)
    };
    if let Some(error) = lookup.take_error() {
        print_diagnostic(&error);
        return EXIT_USAGE;
    }
    write_stdout(&describe(path, &applied))
}

/// The settings for `path`, as YAML: the config's own keys, then every
/// rule's severity.
fn describe(path: &Path, applied: &FileConfig) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# settings for {}", path.display());
    match &applied.path {
        Some(config) => {
            let _ = writeln!(out, "# from {}", config.display());
        }
        None => out.push_str("# from no config file: the defaults\n"),
    }
    let fail_level = applied
        .fail_level
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string());
    let _ = writeln!(out, "fail-level: {fail_level}");
    let _ = writeln!(
        out,
        "max-file-size: {}",
        applied.max_file_size.to_string().replace(' ', "")
    );
    let globs: Vec<String> = applied
        .config
        .exclude
        .iter()
        .map(|glob| format!("{glob:?}"))
        .collect();
    let _ = writeln!(
        out,
        "exclude: [{}]   # relative to {}",
        globs.join(", "),
        applied.folder.display()
    );
    out.push_str("rules:\n");
    for rule in RULES {
        let severity = applied
            .settings
            .active
            .iter()
            .find(|(active, _)| active.id == rule.id)
            .map_or("off", |(_, severity)| severity.as_str());
        let _ = writeln!(out, "  {}: {severity}", rule.id);
    }
    out
}
