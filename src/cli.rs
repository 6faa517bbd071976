//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;
use crate::size::ByteSize;

#[derive(Parser, Debug)]
#[command(
    name = "podlint",
    version,
    about = "Lint Kubernetes Pod specs: every pitfall at its exact line and column",
    args_conflicts_with_subcommands = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and folders (the default command)
    Check(Box<CheckArgs>),
    /// List the rules: id, default severity, category, summary
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Config file whose custom checks are listed too; default: the
        /// nearest `.podlint.yaml` from the working directory up
        #[arg(long)]
        config: Option<std::path::PathBuf>,
    },
    /// Print a rule's documentation
    Explain {
        /// A rule id, e.g. memory-limit-missing
        rule: String,
        /// Config file whose custom checks can be explained too; default:
        /// the nearest `.podlint.yaml` from the working directory up
        #[arg(long)]
        config: Option<std::path::PathBuf>,
    },
    /// Run the language server on standard input and output (for editors)
    Lsp,
    /// Print the config file that applies to a file or folder, and the
    /// settings it leads to
    Config {
        /// A file or folder [default: .]
        path: Option<PathBuf>,
        /// Config file that applies to every path, as with `check --config`
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Args, Clone, Debug, Default)]
pub struct CheckArgs {
    /// Files and folders to lint; `-` reads standard input [default: .]
    pub paths: Vec<String>,
    /// Output format [default: $PODLINT_FORMAT, else github when
    /// GITHUB_ACTIONS=true, else human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Lowest severity that makes the exit code 1 [default: the config's, else warning]
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,
    /// Turn rules on (comma-separated, repeatable)
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub enable: Vec<String>,
    /// Turn rules off (comma-separated, repeatable)
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub disable: Vec<String>,
    /// Config file for every path [default: for each file, the nearest
    /// .podlint.yaml in its folder or above, up to the repository root]
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Report findings that manifests suppress (annotations and comments), for audits
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip paths matching this glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// ValidatingAdmissionPolicies (and their bindings and params) to run
    /// on the manifests, besides those in the linted files (repeatable)
    #[arg(long, value_name = "DIR")]
    pub policies: Vec<String>,
    /// CustomResourceDefinitions that type the custom resources, besides
    /// those in the linted files; these files are not linted (repeatable)
    #[arg(long, value_name = "DIR")]
    pub crds: Vec<String>,
    /// The name to report for standard input (`-`)
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Skip (and report) files larger than this, e.g. 128MiB [default: the
    /// config's, else 64MiB]
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<ByteSize>,
    /// Judge removed and deprecated API versions for this cluster version,
    /// e.g. 1.29 [default: the config's, else the newest podlint knows]
    #[arg(long, value_name = "X.Y")]
    pub kubernetes_version: Option<crate::model::KubeVersion>,
    /// Worker threads [default: all cores]
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Report only findings that are not recorded in this baseline file
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in FILE for --baseline, and report nothing else
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Apply safe fixes in place, then report what remains (standard input:
    /// print the fixed document)
    #[arg(long, conflicts_with_all = ["diff", "write_baseline", "baseline"])]
    pub fix: bool,
    /// Print what --fix would change as a unified diff and change nothing
    /// (exit 1 when there is something to fix)
    #[arg(long, conflicts_with_all = ["write_baseline", "baseline"])]
    pub diff: bool,
    /// With --fix or --diff: also apply fixes that change what runs
    /// (allowPrivilegeEscalation, capabilities, runAsNonRoot, readOnlyRootFilesystem)
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// The kustomize (or kubectl) binary that builds kustomizations
    /// [default: the config's kustomize.binary, else kustomize, else kubectl on PATH]
    #[arg(long, value_name = "PATH")]
    pub kustomize: Option<PathBuf>,
    /// Exit 0 when no file is found to lint (by default that is a mistake: exit 2)
    #[arg(long)]
    pub allow_empty: bool,
    /// Print the number of findings of each rule instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// Say on stderr which config applies to which files
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print the findings only: no summary, no notices
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub output_file: Option<PathBuf>,
    /// Colour in the human format [default: auto: on a terminal, unless
    /// NO_COLOR is set; CLICOLOR_FORCE turns it on elsewhere]
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The helm binary that renders charts [default: the config's
    /// helm.binary, else helm on PATH]
    #[arg(long, value_name = "PATH")]
    pub helm: Option<PathBuf>,
    /// A values file for the charts named on the command line (repeatable,
    /// in order); replaces their default renders
    #[arg(long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// A value for the charts named on the command line, as `helm --set`
    /// takes it (repeatable)
    #[arg(long = "set", value_name = "K=V")]
    pub set: Vec<String>,
    /// Stop after parsing (benchmarks the parse-only floor of the pipeline)
    #[arg(long, hide = true)]
    pub parse_only: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    Error,
    #[default]
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Output of `podlint rules`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    #[default]
    Human,
    Json,
}

/// The most worker threads `-j` takes: far more than the cores of any
/// machine podlint runs on, few enough to start at once.
pub const MAX_JOBS: usize = 256;

/// `-j N`: a whole number from 1 to [`MAX_JOBS`].
fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(jobs @ 1..=MAX_JOBS) => Ok(jobs),
        _ => Err(format!(
            "the number of worker threads is a whole number from 1 to {MAX_JOBS}"
        )),
    }
}
