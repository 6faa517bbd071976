//! `podlint lsp`: a language server over stdio. Editors show podlint's
//! findings while the user types, offer quick fixes, and show each rule's
//! documentation on hover.

mod actions;
mod linter;
mod repository;
mod text;
mod transport;
mod units;
mod workspace;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notifications, Notification as _};
use lsp_types::request::{self as requests, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, InitializeResult,
    Location, LogMessageParams, MarkupContent, MarkupKind, MessageType, NumberOrString,
    PublishDiagnosticsParams, Registration, RegistrationParams, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};

use crate::commands::say;
use crate::config::FILE_NAME as CONFIG_FILE_NAME;
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::size::ByteSize;
use crate::source::Span;
use text::{Encoding, Positions};
use transport::{End, Incoming, Outgoing};
use units::{Rendered, UnitKey};
use workspace::Workspace;

/// How long the server waits after a change for the next one before it
/// lints: long enough to take a burst of keystrokes in one lint, short
/// enough that diagnostics follow typing (a lint takes about a millisecond).
const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(5);

/// The longest debounce a client may ask for.
const MAX_DEBOUNCE: Duration = Duration::from_secs(10);

/// The largest document linted: far above hand-written manifests, small
/// enough to lint in about a second.
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;

/// The most diagnostics published for one document; one more says how
/// many were left out.
pub const MAX_DIAGNOSTICS: usize = 1000;

/// Runs the server on standard input and output until the client exits;
/// the exit code follows the protocol: 0 after `shutdown` then `exit`, 1
/// otherwise.
pub fn serve() -> u8 {
    let (outcome, _) = session(std::io::BufReader::new(std::io::stdin()), std::io::stdout());
    match outcome {
        Ok(()) => 0,
        Err(message) => {
            say!("podlint lsp: {message}");
            1
        }
    }
}

/// One session of the server over any byte streams; the fuzz target runs
/// it on memory. Returns how it ended and the output.
pub fn session<R, W>(input: R, output: W) -> (Result<(), String>, W)
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    // One message read ahead at most: memory stays bounded by the limits
    // of `transport` whatever the client sends.
    let (incoming_sender, incoming) = crossbeam_channel::bounded(1);
    let reader = std::thread::spawn(move || read_messages(input, &incoming_sender));
    let (sender, outgoing) = crossbeam_channel::unbounded();
    let writer = std::thread::spawn(move || write_messages(output, &outgoing));
    let outcome = start(&incoming, sender).and_then(|server| server.run(&incoming));
    drop(incoming);
    // The reader ends with the input or at its next message, which nothing
    // takes any more; a terminal's stdin may never end, so it is not awaited.
    drop(reader);
    match writer.join() {
        Ok((output, Ok(()))) => (outcome, output),
        Ok((output, Err(error))) => (
            outcome.and(Err(format!("cannot write to the client: {error}"))),
            output,
        ),
        // The writer only writes; it has nothing that panics.
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn read_messages(mut input: impl BufRead, incoming: &Sender<Result<Incoming, End>>) {
    loop {
        let next = transport::read(&mut input);
        let last = next.is_err();
        if incoming.send(next).is_err() || last {
            return;
        }
    }
}

fn write_messages<W: Write>(
    mut output: W,
    outgoing: &Receiver<Outgoing>,
) -> (W, std::io::Result<()>) {
    for message in outgoing {
        if let Err(error) = transport::write(&mut output, &message) {
            return (output, Err(error));
        }
    }
    (output, Ok(()))
}

/// An open document as the editor last sent it.
struct Document {
    version: i32,
    /// Its canonical path, for a local file that exists.
    path: Option<PathBuf>,
    /// Counts the changes, so that a lint's outcome is matched to the text it linted.
    revision: u64,
    text: Arc<str>,
    /// The revision that `findings` are of.
    linted: Option<u64>,
    /// The findings of the last lint, for code actions and hover.
    findings: Vec<Finding>,
    /// The diagnostics of the last lint, published with those of the
    /// charts and kustomizations the document belongs to.
    diagnostics: Vec<Diagnostic>,
}

impl Document {
    fn is_fresh(&self) -> bool {
        self.linted == Some(self.revision)
    }
}

struct Server {
    sender: Sender<Outgoing>,
    encoding: Encoding,
    debounce: Duration,
    documents: HashMap<Uri, Document>,
    /// Documents changed since their last lint, with when they are due.
    due: HashMap<Uri, Instant>,
    /// Documents the linting thread has now.
    in_flight: HashSet<Uri>,
    /// Requests about documents whose lint is not done yet, answered once it is.
    parked: Vec<Request>,
    jobs: Sender<linter::Job>,
    done: Receiver<linter::Done>,
    /// The rendering thread's ends: charts and kustomizations (see `units`).
    renders: Sender<units::Job>,
    rendered: Receiver<Rendered>,
    /// The last outcome of each unit that an open document belongs to.
    units: HashMap<UnitKey, Rendered>,
    /// The last text linted of each open document that defines CRDs.
    crd_texts: HashMap<Uri, Arc<str>>,
    /// Problems already shown to the user (a missing helm), shown once.
    shown: HashSet<String>,
    /// `shutdown` came: only `exit` is expected now.
    shutting_down: bool,
}

/// Waits for `initialize`, answers it and starts the linting thread.
fn start(
    incoming: &Receiver<Result<Incoming, End>>,
    sender: Sender<Outgoing>,
) -> Result<Server, String> {
    let (id, params) = loop {
        let message = match incoming.recv() {
            Ok(Ok(message)) => message,
            Ok(Err(End::Broken(why))) => return Err(why),
            Ok(Err(End::Closed)) | Err(_) => {
                // Someone ran it in a terminal: say what it is for.
                return Err("standard input closed before an editor sent `initialize`; `podlint lsp` is started by editors (see the README's Editors section)".into());
            }
        };
        match message {
            Incoming::Message(Message::Request(request)) if request.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => break (request.id, params),
                    Err(error) => send(&sender, Message::Response(bad_params(request.id, &error))),
                }
            }
            Incoming::Message(Message::Request(request)) => send(
                &sender,
                Message::Response(Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    format!("`{}` came before `initialize`", request.method),
                )),
            ),
            Incoming::Message(Message::Notification(n))
                if n.method == notifications::Exit::METHOD =>
            {
                return Err("`exit` came before `initialize`".into());
            }
            Incoming::Message(_) => {}
            Incoming::Invalid { id, code, message } => {
                let _ = sender.send(Outgoing::Error { id, code, message });
            }
            Incoming::TooLarge { length } => too_large(&sender, length),
        }
    };
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.clone())
        .unwrap_or_default();
    let encoding = Encoding::negotiate(&offered);
    let debounce = params
        .initialization_options
        .as_ref()
        .and_then(|options| options.get("debounceMs")?.as_u64())
        .map_or(DEFAULT_DEBOUNCE, Duration::from_millis)
        .min(MAX_DEBOUNCE);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "podlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    send(&sender, Message::Response(Response::new_ok(id, result)));
    let (jobs, job_receiver) = crossbeam_channel::unbounded();
    let (done_sender, done) = crossbeam_channel::unbounded();
    let workspace = Workspace::new(root(&params));
    std::thread::spawn(move || linter::run(workspace, job_receiver, done_sender));
    let (renders, render_receiver) = crossbeam_channel::unbounded();
    let (rendered_sender, rendered) = crossbeam_channel::unbounded();
    let workspace = Workspace::new(root(&params));
    std::thread::spawn(move || units::run(workspace, render_receiver, rendered_sender));
    let server = Server {
        sender,
        encoding,
        debounce,
        documents: HashMap::new(),
        due: HashMap::new(),
        in_flight: HashSet::new(),
        parked: Vec::new(),
        jobs,
        done,
        renders,
        rendered,
        units: HashMap::new(),
        crd_texts: HashMap::new(),
        shown: HashSet::new(),
        shutting_down: false,
    };
    let watches = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if watches {
        server.watch_configs();
    }
    Ok(server)
}

fn send(sender: &Sender<Outgoing>, message: Message) {
    // A send fails only once the writer stopped (the client is gone); the
    // session ends when the input does.
    let _ = sender.send(Outgoing::Message(message));
}

/// A message over the size limit was skipped: the client should know, as
/// the document it carried is not linted.
fn too_large(sender: &Sender<Outgoing>, length: u64) {
    let message = format!(
        "podlint: skipped a message of {} from the editor: the language server reads messages up to {}",
        ByteSize(length),
        ByteSize(transport::MAX_MESSAGE_BYTES)
    );
    say!("{message}");
    send(
        sender,
        Message::Notification(Notification::new(
            notifications::ShowMessage::METHOD.into(),
            ShowMessageParams {
                typ: MessageType::ERROR,
                message,
            },
        )),
    );
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The workspace folder where configs are looked for when a document is
/// not a local file.
#[allow(deprecated)] // root_uri: older clients send only that.
fn root(params: &InitializeParams) -> Option<PathBuf> {
    params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri)
        .or(params.root_uri.as_ref())
        .and_then(text::file_path)
        .or_else(|| std::env::current_dir().ok())
}

impl Server {
    fn run(mut self, incoming: &Receiver<Result<Incoming, End>>) -> Result<(), String> {
        loop {
            let timer = match self.next_deadline() {
                Some(deadline) => crossbeam_channel::at(deadline),
                None => crossbeam_channel::never(),
            };
            crossbeam_channel::select! {
                recv(incoming) -> next => {
                    let message = match next {
                        Ok(Ok(message)) => message,
                        Ok(Err(End::Broken(why))) => return Err(why),
                        Ok(Err(End::Closed)) | Err(_) => {
                            return Err("the client closed the connection without `exit`".into())
                        }
                    };
                    match message {
                        Incoming::Message(Message::Request(request)) => self.request(request),
                        Incoming::Message(Message::Notification(notification)) => {
                            if notification.method == notifications::Exit::METHOD {
                                return if self.shutting_down {
                                    Ok(())
                                } else {
                                    Err("`exit` came before `shutdown`".into())
                                };
                            }
                            if !self.shutting_down {
                                self.notification(notification);
                            }
                        }
                        // Answers to our registration request: nothing to do.
                        Incoming::Message(Message::Response(_)) => {}
                        Incoming::Invalid { id, code, message } => {
                            let _ = self.sender.send(Outgoing::Error { id, code, message });
                        }
                        Incoming::TooLarge { length } => too_large(&self.sender, length),
                    }
                }
                recv(self.done) -> done => {
                    if let Ok(done) = done {
                        self.finished(done);
                    }
                }
                recv(self.rendered) -> rendered => {
                    if let Ok(rendered) = rendered {
                        self.unit_rendered(rendered);
                    }
                }
                recv(timer) -> _ => self.lint_due(Instant::now()),
            }
        }
    }

    /// When the next changed document is to be linted (those being linted
    /// wait for that lint to end).
    fn next_deadline(&self) -> Option<Instant> {
        self.due
            .iter()
            .filter(|(uri, _)| !self.in_flight.contains(*uri))
            .map(|(_, deadline)| *deadline)
            .min()
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            notifications::DidOpenTextDocument::METHOD => {
                if let Some(params) = extract::<DidOpenTextDocumentParams>(notification) {
                    let document = params.text_document;
                    let revision = self
                        .documents
                        .get(&document.uri)
                        .map_or(0, |open| open.revision + 1);
                    let path = text::file_path(&document.uri).and_then(|p| p.canonicalize().ok());
                    self.documents.insert(
                        document.uri.clone(),
                        Document {
                            version: document.version,
                            path,
                            revision,
                            text: document.text.into(),
                            linted: None,
                            findings: Vec::new(),
                            diagnostics: Vec::new(),
                        },
                    );
                    self.lint(&document.uri);
                    self.render(&document.uri);
                }
            }
            notifications::DidChangeTextDocument::METHOD => {
                if let Some(params) = extract::<DidChangeTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    // Full sync: the last change holds the whole text.
                    let (Some(document), Some(change)) = (
                        self.documents.get_mut(&uri),
                        params.content_changes.into_iter().last(),
                    ) else {
                        return;
                    };
                    document.version = params.text_document.version;
                    document.revision += 1;
                    document.text = change.text.into();
                    self.due.insert(uri, Instant::now() + self.debounce);
                }
            }
            notifications::DidSaveTextDocument::METHOD => {
                if let Some(params) = extract::<DidSaveTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    match text::file_path(&uri).filter(|p| p.ends_with(CONFIG_FILE_NAME)) {
                        Some(config) => self.config_changed(config),
                        None => {
                            self.lint(&uri);
                            self.render(&uri);
                        }
                    }
                }
            }
            notifications::DidCloseTextDocument::METHOD => {
                if let Some(params) = extract::<DidCloseTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    if let Some(path) = self.documents.remove(&uri).and_then(|d| d.path) {
                        let _ = self.jobs.send(linter::Job::Close(path));
                    }
                    self.due.remove(&uri);
                    // Its file on disk types the others now.
                    if self.crd_texts.remove(&uri).is_some() {
                        let now = Instant::now();
                        for other in self.documents.keys() {
                            self.due.insert(other.clone(), now);
                        }
                    }
                    self.drop_unused_units();
                    self.republish(&uri);
                    self.answer_parked(&uri);
                }
            }
            notifications::DidChangeWatchedFiles::METHOD => {
                if let Some(params) = extract::<DidChangeWatchedFilesParams>(notification) {
                    for change in params.changes {
                        if let Some(path) = text::file_path(&change.uri) {
                            self.config_changed(path);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn request(&mut self, request: Request) {
        if self.shutting_down {
            let response = Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                format!("`{}` came after `shutdown`", request.method),
            );
            self.send(Message::Response(response));
            return;
        }
        let id = request.id.clone();
        let response = match request.method.as_str() {
            requests::Shutdown::METHOD => {
                self.shutting_down = true;
                ok(id, ())
            }
            requests::CodeActionRequest::METHOD => {
                match request
                    .clone()
                    .extract::<CodeActionParams>(requests::CodeActionRequest::METHOD)
                {
                    Ok((_, params)) => {
                        if self.park_until_linted(&params.text_document.uri, request) {
                            return;
                        }
                        ok(id, self.code_actions(&params))
                    }
                    Err(error) => bad_params(id, &error),
                }
            }
            requests::HoverRequest::METHOD => {
                match request
                    .clone()
                    .extract::<HoverParams>(requests::HoverRequest::METHOD)
                {
                    Ok((_, params)) => {
                        let uri = &params.text_document_position_params.text_document.uri;
                        if self.park_until_linted(uri, request) {
                            return;
                        }
                        ok(id, self.hover(&params))
                    }
                    Err(error) => bad_params(id, &error),
                }
            }
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("podlint does not handle `{method}`"),
            ),
        };
        self.send(Message::Response(response));
    }

    /// Keeps a request about a document whose findings are out of date
    /// until its lint is done (starting it now); other requests are
    /// answered meanwhile.
    fn park_until_linted(&mut self, uri: &Uri, request: Request) -> bool {
        let stale = self.documents.get(uri).is_some_and(|d| !d.is_fresh());
        if stale {
            self.due.insert(uri.clone(), Instant::now());
            self.parked.push(request);
        }
        stale
    }

    /// Answers the parked requests about a document, now that its findings
    /// are up to date or it is closed.
    fn answer_parked(&mut self, uri: &Uri) {
        let (theirs, others): (Vec<Request>, Vec<Request>) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|request| request_uri(request).as_ref() == Some(uri));
        self.parked = others;
        for request in theirs {
            self.request(request);
        }
    }

    /// Lints the documents whose debounce has run out.
    fn lint_due(&mut self, now: Instant) {
        let due: Vec<Uri> = self
            .due
            .iter()
            .filter(|(uri, deadline)| **deadline <= now && !self.in_flight.contains(*uri))
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in due {
            self.lint(&uri);
        }
    }

    /// Starts linting a document; if a lint of it is running, it is linted
    /// again once that one is done.
    fn lint(&mut self, uri: &Uri) {
        if self.in_flight.contains(uri) {
            self.due.insert(uri.clone(), Instant::now());
            return;
        }
        self.due.remove(uri);
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        if document.text.len() > MAX_DOCUMENT_BYTES {
            document.findings = Vec::new();
            document.linted = Some(document.revision);
            let message = format!(
                "podlint: this document is larger ({}) than the language server lints ({}); run `podlint` on the file instead",
                ByteSize(document.text.len() as u64),
                ByteSize(MAX_DOCUMENT_BYTES as u64)
            );
            document.diagnostics = vec![Diagnostic {
                severity: Some(DiagnosticSeverity::INFORMATION),
                source: Some("podlint".into()),
                message,
                ..Diagnostic::default()
            }];
            self.republish(uri);
            self.answer_parked(uri);
            return;
        }
        let job = linter::Job::Lint {
            uri: uri.clone(),
            revision: document.revision,
            path: text::file_path(uri),
            text: document.text.clone(),
        };
        if self.jobs.send(job).is_ok() {
            self.in_flight.insert(uri.clone());
        }
        self.relint_if_crds_changed(uri);
    }

    /// When a document that defines CRDs (or did) changed, the other open
    /// documents are linted again after it: its CRDs may type them.
    fn relint_if_crds_changed(&mut self, uri: &Uri) {
        let Some(text) = self.documents.get(uri).map(|d| d.text.clone()) else {
            return;
        };
        let defines = text.contains(crate::model::crd::MARKER);
        let changed = match self.crd_texts.get(uri) {
            Some(before) => **before != *text,
            None => defines,
        };
        if !changed {
            return;
        }
        if defines {
            self.crd_texts.insert(uri.clone(), text);
        } else {
            self.crd_texts.remove(uri);
        }
        let now = Instant::now();
        for other in self.documents.keys().filter(|other| *other != uri) {
            self.due.insert(other.clone(), now);
        }
    }

    /// A lint is done: its diagnostics are published if the document has
    /// not changed since, else it is linted again.
    fn finished(&mut self, done: linter::Done) {
        self.in_flight.remove(&done.uri);
        for (config, problems) in done.config_reports {
            self.publish_config_problems(&config, problems);
        }
        let Some(document) = self.documents.get_mut(&done.uri) else {
            return;
        };
        if document.revision != done.revision {
            self.due.entry(done.uri).or_insert_with(Instant::now);
            return;
        }
        document.findings = done.findings;
        document.linted = Some(done.revision);
        let positions = Positions::new(&done.text, self.encoding);
        let mut diagnostics: Vec<Diagnostic> = document
            .findings
            .iter()
            .take(MAX_DIAGNOSTICS)
            .map(|finding| diagnostic(&done.uri, &positions, finding, None))
            .collect();
        let left_out = document.findings.len().saturating_sub(MAX_DIAGNOSTICS) + done.uncollected;
        if left_out > 0 {
            diagnostics.push(Diagnostic {
                range: diagnostics.last().map(|d| d.range).unwrap_or_default(),
                severity: Some(DiagnosticSeverity::INFORMATION),
                source: Some("podlint".into()),
                message: format!(
                    "podlint: {left_out} more findings are not shown (the language server shows the first {MAX_DIAGNOSTICS} of a document; `podlint` on the file lists them all)"
                ),
                ..Diagnostic::default()
            });
        }
        let version = document.version;
        document.diagnostics = diagnostics;
        let lines = done.text.lines().count();
        self.republish(&done.uri);
        self.log(format!(
            "linted {} (version {version}, {lines} lines) in {:.2} ms",
            done.uri.as_str(),
            done.took.as_secs_f64() * 1000.0
        ));
        self.answer_parked(&done.uri);
    }

    /// A config file changed: it is read again and every open document is
    /// linted with it.
    fn config_changed(&mut self, path: PathBuf) {
        if !path.ends_with(CONFIG_FILE_NAME) {
            return;
        }
        let _ = self.jobs.send(linter::Job::Forget(path));
        let open: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in open {
            self.lint(&uri);
        }
        let job = units::Job {
            files: Vec::new(),
            units: self.units.keys().cloned().collect(),
            texts: self.texts(),
        };
        let _ = self.renders.send(job);
    }

    /// Renders the chart of an opened or saved document, and the
    /// kustomization roots that use it, with the open documents' texts.
    fn render(&mut self, uri: &Uri) {
        let Some(path) = self
            .documents
            .get(uri)
            .and_then(|d| d.path.clone())
            .filter(|p| units::may_render(p))
        else {
            return;
        };
        // A document's CRDs may type every unit's renders.
        let defines = self
            .documents
            .get(uri)
            .is_some_and(|d| d.text.contains(crate::model::crd::MARKER));
        let units = self
            .units
            .iter()
            .filter(|(key, rendered)| {
                defines
                    || key.holds(&path)
                    || rendered.members.contains(&path)
                    || rendered.files.contains_key(&path)
            })
            .map(|(key, _)| key.clone())
            .collect();
        let job = units::Job {
            files: vec![path],
            units,
            texts: self.texts(),
        };
        let _ = self.renders.send(job);
    }

    /// The open documents' texts by canonical path.
    fn texts(&self) -> units::Texts {
        Arc::new(
            self.documents
                .values()
                .filter_map(|d| Some((d.path.clone()?, d.text.clone())))
                .collect(),
        )
    }

    /// A chart or kustomization was rendered: its findings replace those it
    /// had before on every file, and files it no longer has findings on
    /// are published again without them.
    fn unit_rendered(&mut self, mut rendered: Rendered) {
        for (config, problems) in std::mem::take(&mut rendered.config_reports) {
            self.publish_config_problems(&config, problems);
        }
        if let Some(problem) = &rendered.problem {
            if self.shown.insert(problem.clone()) {
                self.show(MessageType::WARNING, format!("podlint: {problem}"));
            }
        }
        let took = rendered.took;
        let key = rendered.key.clone();
        let mut affected: Vec<PathBuf> = Vec::new();
        let open = |documents: &HashMap<Uri, Document>, path: &PathBuf| {
            documents.values().any(|d| d.path.as_ref() == Some(path))
        };
        let collect = |r: &Rendered, affected: &mut Vec<PathBuf>| {
            affected.extend(r.files.keys().cloned());
            affected.extend(
                r.covers
                    .iter()
                    .filter(|p| open(&self.documents, p))
                    .cloned(),
            );
        };
        collect(&rendered, &mut affected);
        let alive = self
            .documents
            .values()
            .filter_map(|d| d.path.as_ref())
            .any(|p| key.holds(p) || rendered.members.contains(p));
        let old = if alive && rendered.problem.is_none() {
            self.units.insert(key.clone(), rendered)
        } else {
            self.units.remove(&key)
        };
        if let Some(old) = &old {
            collect(old, &mut affected);
        }
        affected.sort();
        affected.dedup();
        for path in &affected {
            let uri = self.uri_of(path);
            if let Some(uri) = uri {
                self.republish(&uri);
            }
        }
        let what = match &key {
            UnitKey::Chart(dir) => format!("the chart {}", dir.display()),
            UnitKey::Kustomize(roots) => format!(
                "the kustomization roots {}",
                roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.log(format!(
            "rendered {what} in {:.2} ms",
            took.as_secs_f64() * 1000.0
        ));
    }

    /// Forgets the units that no open document belongs to any more, and
    /// clears their findings.
    fn drop_unused_units(&mut self) {
        let paths: Vec<&PathBuf> = self
            .documents
            .values()
            .filter_map(|d| d.path.as_ref())
            .collect();
        let unused: Vec<UnitKey> = self
            .units
            .iter()
            .filter(|(key, rendered)| {
                !paths
                    .iter()
                    .any(|p| key.holds(p) || rendered.members.contains(*p))
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in unused {
            if let Some(old) = self.units.remove(&key) {
                for path in old.files.keys() {
                    if let Some(uri) = self.uri_of(path) {
                        self.republish(&uri);
                    }
                }
            }
        }
    }

    /// The URI a file is published at: the open document's, else its own.
    fn uri_of(&self, path: &Path) -> Option<Uri> {
        self.documents
            .iter()
            .find(|(_, d)| d.path.as_deref() == Some(path))
            .map(|(uri, _)| uri.clone())
            .or_else(|| text::file_uri(path))
    }

    /// Publishes a file's diagnostics: the open document's own (unless a
    /// unit lints it through its render) and those the units place in it.
    fn republish(&self, uri: &Uri) {
        let document = self.documents.get(uri);
        let path = match document {
            Some(document) => document.path.clone(),
            None => text::file_path(uri),
        };
        let covered = path
            .as_ref()
            .is_some_and(|p| self.units.values().any(|r| r.covers.contains(p)));
        let mut diagnostics = match document {
            Some(document) if !covered => document.diagnostics.clone(),
            _ => Vec::new(),
        };
        if let Some(path) = &path {
            for rendered in self.units.values() {
                let Some(placed) = rendered.files.get(path) else {
                    continue;
                };
                let positions = Positions::new(&placed.text, self.encoding);
                for finding in placed.findings.iter().take(MAX_DIAGNOSTICS) {
                    let placed = diagnostic(
                        uri,
                        &positions,
                        finding,
                        Some((&placed.sources, self.encoding)),
                    );
                    // Units that share a file may place the same finding there.
                    if !diagnostics.contains(&placed) {
                        diagnostics.push(placed);
                    }
                }
            }
        }
        self.publish(uri.clone(), document.map(|d| d.version), diagnostics);
    }

    /// The findings units placed in an open document, when they were
    /// placed in the text it has now.
    fn placed_findings(&self, document: &Document) -> Vec<&Finding> {
        let Some(path) = &document.path else {
            return Vec::new();
        };
        self.units
            .values()
            .filter_map(|r| r.files.get(path))
            .filter(|placed| placed.text == document.text)
            .flat_map(|placed| &placed.findings)
            .collect()
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(document) = self.documents.get(uri) else {
            return Vec::new();
        };
        let positions = Positions::new(&document.text, self.encoding);
        let first_line = params.range.start.line as usize;
        let last_line = params.range.end.line as usize;
        let parsed = crate::source::parse(&document.text);
        let mut actions = Vec::new();
        for finding in &document.findings {
            let line = positions.line_of(finding.span.start as usize);
            if line < first_line || line > last_line {
                continue;
            }
            let diagnostic = diagnostic(uri, &positions, finding, None);
            for fix in actions::quick_fixes(&document.text, &parsed, finding) {
                let edit = TextEdit::new(positions.range(fix.edit.span), fix.edit.text);
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(WorkspaceEdit::new(HashMap::from([(
                        uri.clone(),
                        vec![edit],
                    )]))),
                    is_preferred: Some(fix.preferred),
                    ..CodeAction::default()
                }));
            }
        }
        actions
    }

    /// The documentation of the rules whose findings cover the position.
    fn hover(&mut self, params: &HoverParams) -> Option<Hover> {
        let uri = &params.text_document_position_params.text_document.uri;
        let document = self.documents.get(uri)?;
        let positions = Positions::new(&document.text, self.encoding);
        let offset = positions.offset(params.text_document_position_params.position);
        let covering: Vec<&Finding> = document
            .findings
            .iter()
            .chain(self.placed_findings(document))
            .filter(|f| covers(f.span, offset))
            .collect();
        let first = covering.first()?;
        let sections: Vec<String> = covering.iter().map(|f| explanation(f)).collect();
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: sections.join("\n\n---\n\n"),
            }),
            range: Some(positions.range(first.span)),
        })
    }

    fn publish(&self, uri: Uri, version: Option<i32>, diagnostics: Vec<Diagnostic>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            notifications::PublishDiagnostics::METHOD.into(),
            params,
        )));
    }

    fn publish_config_problems(
        &self,
        config: &std::path::Path,
        problems: Vec<workspace::ConfigProblem>,
    ) {
        let Some(uri) = text::file_uri(config) else {
            return;
        };
        let diagnostics = problems
            .into_iter()
            .map(|problem| {
                let range = problem
                    .at
                    .as_ref()
                    .map(|(text, span)| Positions::new(text, self.encoding).range(*span))
                    .unwrap_or_default();
                Diagnostic {
                    range,
                    severity: Some(DiagnosticSeverity::ERROR),
                    code: Some(NumberOrString::String("config".into())),
                    source: Some("podlint".into()),
                    message: problem.message,
                    ..Diagnostic::default()
                }
            })
            .collect();
        self.publish(uri, None, diagnostics);
    }

    /// Asks the client to tell us when a config file changes on disk.
    fn watch_configs(&self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{CONFIG_FILE_NAME}")),
                kind: None,
            }],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "podlint-config".into(),
                method: notifications::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.send(Message::Request(Request::new(
            RequestId::from("podlint-watch-config".to_string()),
            requests::RegisterCapability::METHOD.into(),
            params,
        )));
    }

    /// A message the user sees.
    fn show(&self, typ: MessageType, message: String) {
        self.send(Message::Notification(Notification::new(
            notifications::ShowMessage::METHOD.into(),
            ShowMessageParams { typ, message },
        )));
    }

    /// A line in the client's log (not shown to users): what was linted and how long it took.
    fn log(&self, message: String) {
        self.send(Message::Notification(Notification::new(
            notifications::LogMessage::METHOD.into(),
            LogMessageParams {
                typ: MessageType::LOG,
                message,
            },
        )));
    }

    fn send(&self, message: Message) {
        send(&self.sender, message);
    }
}

/// The document a parked request is about.
fn request_uri(request: &Request) -> Option<Uri> {
    let document = request.params.get("textDocument")?.get("uri")?;
    serde_json::from_value(document.clone()).ok()
}

fn extract<P: serde::de::DeserializeOwned>(notification: Notification) -> Option<P> {
    let method = notification.method.clone();
    notification.extract(&method).ok()
}

fn ok<R: serde::Serialize>(id: RequestId, result: R) -> Response {
    Response::new_ok(id, result)
}

fn bad_params(id: RequestId, error: &dyn std::fmt::Debug) -> Response {
    Response::new_err(
        id,
        ErrorCode::InvalidParams as i32,
        format!("invalid parameters: {error:?}"),
    )
}

fn covers(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// `others`: the files of a chart or kustomization, for labels placed in
/// another file than the finding.
fn diagnostic(
    uri: &Uri,
    positions: &Positions<'_>,
    finding: &Finding,
    others: Option<(&crate::render::Sources, Encoding)>,
) -> Diagnostic {
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .labels
        .iter()
        .filter_map(|label| {
            let location = match (&label.file, others) {
                (None, _) => Location::new(uri.clone(), positions.range(label.span)),
                (Some(file), Some((sources, encoding))) => Location::new(
                    text::file_uri(Path::new(&**file))?,
                    Positions::new(sources.get(file)?, encoding).range(label.span),
                ),
                (Some(_), None) => return None,
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: label.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: positions.range(finding.span),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.rule.into())),
        code_description: rules::find(finding.rule)
            .and_then(|rule| Uri::from_str(&rule.doc_url()).ok())
            .map(|href| CodeDescription { href }),
        source: Some("podlint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

/// A finding's message and its rule's documentation, in Markdown.
fn explanation(finding: &Finding) -> String {
    let mut out = format!(
        "**{}** ({}): {}",
        finding.rule, finding.severity, finding.message
    );
    if let Some(rule) = rules::find(finding.rule) {
        out.push_str("\n\n");
        out.push_str(rule.meta().body.trim_end());
        out.push_str(&format!("\n\n[{}]({})", rule.id, rule.doc_url()));
    }
    out
}
