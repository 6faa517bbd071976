//! The language server's linting thread: documents are linted there, so
//! that the server keeps answering while a large one is linted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_types::Uri;

use super::workspace::{ConfigReport, Workspace};
use crate::finding::Finding;

/// What the server asks of the linting thread.
pub enum Job {
    Lint {
        uri: Uri,
        /// The server's count of the document's changes, handed back.
        revision: u64,
        path: Option<PathBuf>,
        text: Arc<str>,
    },
    /// A config file changed: read it again at the next lint.
    Forget(PathBuf),
    /// A document was closed: its file on disk counts again.
    Close(PathBuf),
}

/// A lint's outcome.
pub struct Done {
    pub uri: Uri,
    pub revision: u64,
    /// The text that was linted, which the findings' spans point into.
    pub text: Arc<str>,
    pub findings: Vec<Finding>,
    /// Findings past the engine's cap, counted only.
    pub uncollected: usize,
    pub config_reports: Vec<ConfigReport>,
    pub took: Duration,
}

/// Runs jobs until the server drops its end of `jobs`.
pub fn run(mut workspace: Workspace, jobs: Receiver<Job>, done: Sender<Done>) {
    for job in jobs {
        match job {
            Job::Forget(path) => workspace.forget(&path),
            Job::Close(path) => workspace.closed(&path),
            Job::Lint {
                uri,
                revision,
                path,
                text,
            } => {
                let started = Instant::now();
                if let Some(path) = &path {
                    workspace.opened(path, &text);
                }
                let name: Arc<str> = uri.as_str().into();
                let (findings, uncollected) = workspace.lint(path.as_deref(), &name, &text);
                let outcome = Done {
                    uri,
                    revision,
                    text,
                    findings,
                    uncollected,
                    config_reports: workspace.take_reports(),
                    took: started.elapsed(),
                };
                if done.send(outcome).is_err() {
                    return;
                }
            }
        }
    }
}
