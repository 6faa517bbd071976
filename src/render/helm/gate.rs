//! Helm is started before the chart's temporary copy is complete.
//!
//! Helm spends tens of milliseconds starting (its runtime and packages)
//! before it reads a chart: longer than podlint takes to scan the templates
//! and write the copy. Helm reads its `--values` files before it loads the
//! chart, so a render's first values file is a named pipe, the gate: helm
//! waits on it while podlint writes the copy, then reads `{}` (no values)
//! and loads the complete copy.
//!
//! The copy's `Chart.yaml` is written last. A helm that loaded the chart
//! before its values would find none and fail without opening the gate; a
//! render that failed without passing the gate is run again plainly.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A helm process waiting at its gate.
pub struct Gated {
    child: Option<Child>,
    gate: PathBuf,
}

/// What a gated helm gave: its output, and whether it opened the gate (if
/// not, it did not render the complete copy).
pub struct Finished {
    pub output: std::io::Result<Output>,
    pub passed_gate: bool,
}

/// Makes the gate at `gate` and starts `command`, whose first values file
/// it is. Named pipes are made on Unix only: elsewhere helm is run
/// when the copy is complete.
pub fn start(mut command: Command, gate: &Path) -> std::io::Result<Gated> {
    make_pipe(gate)?;
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    Ok(Gated {
        child: Some(child),
        gate: gate.to_path_buf(),
    })
}

impl Gated {
    /// Opens the gate (the copy is complete) and waits for helm.
    pub fn finish(mut self) -> Finished {
        let Some(child) = self.child.take() else {
            return Finished {
                output: Err(std::io::ErrorKind::NotFound.into()),
                passed_gate: false,
            };
        };
        let gate = &self.gate;
        std::thread::scope(|scope| {
            // Opening a pipe to write waits for its reader: on a thread, so
            // that a helm that ends without reading it does not hold us.
            let writer = scope.spawn(move || -> std::io::Result<()> {
                File::options().write(true).open(gate)?.write_all(b"{}\n")
            });
            let output = child.wait_with_output();
            let passed_gate = writer.is_finished();
            // Held until the writer is done, so that it never writes to a
            // pipe without a reader.
            let _reader = (!passed_gate).then(|| release(gate));
            let written = writer.join().is_ok_and(|result| result.is_ok());
            Finished {
                output,
                passed_gate: passed_gate && written,
            }
        })
    }
}

#[cfg(unix)]
fn make_pipe(gate: &Path) -> std::io::Result<()> {
    use rustix::fs::{FileType, Mode, CWD};
    rustix::fs::mknodat(CWD, gate, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0)?;
    Ok(())
}

#[cfg(not(unix))]
fn make_pipe(_gate: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// A writer waiting at the gate goes on once a reader opens it.
#[cfg(unix)]
fn release(gate: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(gate)
}

#[cfg(not(unix))]
fn release(gate: &Path) -> std::io::Result<File> {
    File::open(gate)
}

impl Drop for Gated {
    /// A render abandoned before its gate opened (the copy could not be
    /// written): helm is stopped.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// The process reads nothing of the chart before the gate opens: a file
    /// made after it started is there when it passes the gate.
    #[test]
    fn a_gated_process_waits_until_the_gate_opens() {
        let scratch = tempfile::tempdir().expect("temporary folder");
        let gate = scratch.path().join("gate.yaml");
        let later = scratch.path().join("later");
        let mut command = Command::new("sh");
        command
            .args(["-c", "cat \"$0\" && cat \"$1\""])
            .arg(&gate)
            .arg(&later);
        let gated = start(command, &gate).expect("started");
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::write(&later, "made after the start\n").expect("write");
        let finished = gated.finish();
        let output = finished.output.expect("ran");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "{}\nmade after the start\n"
        );
        assert!(output.status.success());
        assert!(finished.passed_gate);
    }

    /// A process that ends without reading its gate does not hold podlint,
    /// and says so (its render is made again without a gate).
    #[test]
    fn a_process_that_never_reads_its_gate_is_not_waited_for() {
        let scratch = tempfile::tempdir().expect("temporary folder");
        let gate = scratch.path().join("gate.yaml");
        let mut command = Command::new("sh");
        command.args(["-c", "exit 3"]);
        let finished = start(command, &gate).expect("started").finish();
        assert_eq!(finished.output.expect("ran").status.code(), Some(3));
        assert!(!finished.passed_gate);
    }
}
