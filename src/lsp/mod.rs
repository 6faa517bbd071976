//! `podlint lsp`: a language server over stdio. Editors show podlint's
//! findings while the user types, offer quick fixes, and show each rule's
//! documentation on hover.

mod actions;
mod text;
mod workspace;

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
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
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};

use crate::config::FILE_NAME as CONFIG_FILE_NAME;
use crate::finding::{Finding, Severity};
use crate::rules;
use crate::source::Span;
use text::{Encoding, Positions};
use workspace::Workspace;

/// How long the server waits after a change for the next one before it
/// lints: long enough to take a burst of keystrokes in one lint, short
/// enough that diagnostics follow typing (a lint takes about a millisecond).
const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(5);

/// Runs the server until the client exits; the exit code follows the
/// protocol: 0 after `shutdown` then `exit`, 1 otherwise.
pub fn serve() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let outcome = start(&connection).and_then(|mut server| server.run(&connection));
    drop(connection);
    let joined = io_threads.join().map_err(|e| e.to_string());
    match outcome.and(joined) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("podlint lsp: {message}");
            1
        }
    }
}

/// An open document as the editor last sent it.
struct Document {
    version: i32,
    text: String,
    /// The findings of the last lint, for code actions and hover.
    findings: Vec<Finding>,
}

struct Server {
    sender: crossbeam_channel::Sender<Message>,
    encoding: Encoding,
    debounce: Duration,
    documents: HashMap<Uri, Document>,
    /// Documents changed since their last lint, with when they are due.
    due: HashMap<Uri, Instant>,
    workspace: Workspace,
}

fn start(connection: &Connection) -> Result<Server, String> {
    let (id, params) = connection.initialize_start().map_err(|error| {
        if error.channel_is_disconnected() {
            // Someone ran it in a terminal: say what it is for.
            "standard input closed before an editor sent `initialize`; `podlint lsp` is started by editors (see the README's Editors section)".to_string()
        } else {
            error.to_string()
        }
    })?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("bad initialize request: {e}"))?;
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
        .map_or(DEFAULT_DEBOUNCE, Duration::from_millis);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "podlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let server = Server {
        sender: connection.sender.clone(),
        encoding,
        debounce,
        documents: HashMap::new(),
        due: HashMap::new(),
        workspace: Workspace::new(root(&params)),
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
    fn run(&mut self, connection: &Connection) -> Result<(), String> {
        loop {
            let next = self.due.values().min().copied();
            let message = match next {
                Some(deadline) => match connection.receiver.recv_deadline(deadline) {
                    Ok(message) => message,
                    Err(error) if error.is_timeout() => {
                        self.lint_due(Instant::now());
                        continue;
                    }
                    Err(_) => return Err("the client closed the connection without `exit`".into()),
                },
                None => connection
                    .receiver
                    .recv()
                    .map_err(|_| "the client closed the connection without `exit`")?,
            };
            match message {
                Message::Request(request) => {
                    if connection
                        .handle_shutdown(&request)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    self.request(request);
                }
                Message::Notification(notification) => {
                    if notification.method == notifications::Exit::METHOD {
                        return Err("`exit` came before `shutdown`".into());
                    }
                    self.notification(notification);
                }
                // Answers to our registration request: nothing to do.
                Message::Response(_) => {}
            }
        }
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            notifications::DidOpenTextDocument::METHOD => {
                if let Some(params) = extract::<DidOpenTextDocumentParams>(notification) {
                    let document = params.text_document;
                    self.documents.insert(
                        document.uri.clone(),
                        Document {
                            version: document.version,
                            text: document.text,
                            findings: Vec::new(),
                        },
                    );
                    self.lint(&document.uri);
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
                    document.text = change.text;
                    self.due.insert(uri, Instant::now() + self.debounce);
                }
            }
            notifications::DidSaveTextDocument::METHOD => {
                if let Some(params) = extract::<DidSaveTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    match text::file_path(&uri).filter(|p| p.ends_with(CONFIG_FILE_NAME)) {
                        Some(config) => self.config_changed(&config),
                        None => self.lint(&uri),
                    }
                }
            }
            notifications::DidCloseTextDocument::METHOD => {
                if let Some(params) = extract::<DidCloseTextDocumentParams>(notification) {
                    let uri = params.text_document.uri;
                    self.documents.remove(&uri);
                    self.due.remove(&uri);
                    self.publish(uri, None, Vec::new());
                }
            }
            notifications::DidChangeWatchedFiles::METHOD => {
                if let Some(params) = extract::<DidChangeWatchedFilesParams>(notification) {
                    for change in params.changes {
                        if let Some(path) = text::file_path(&change.uri) {
                            self.config_changed(&path);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let response = match request.method.as_str() {
            requests::CodeActionRequest::METHOD => {
                match request.extract::<CodeActionParams>(requests::CodeActionRequest::METHOD) {
                    Ok((_, params)) => ok(id, self.code_actions(&params)),
                    Err(error) => bad_params(id, &error),
                }
            }
            requests::HoverRequest::METHOD => {
                match request.extract::<HoverParams>(requests::HoverRequest::METHOD) {
                    Ok((_, params)) => ok(id, self.hover(&params)),
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

    /// Lints the documents whose debounce has run out.
    fn lint_due(&mut self, now: Instant) {
        let due: Vec<Uri> = self
            .due
            .iter()
            .filter(|(_, deadline)| **deadline <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in due {
            self.lint(&uri);
        }
    }

    /// Lints a document now and publishes its diagnostics.
    fn lint(&mut self, uri: &Uri) {
        self.due.remove(uri);
        let started = Instant::now();
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        let name: Arc<str> = uri.as_str().into();
        let path = text::file_path(uri);
        document.findings = self.workspace.lint(path.as_deref(), &name, &document.text);
        let positions = Positions::new(&document.text, self.encoding);
        let diagnostics = document
            .findings
            .iter()
            .map(|finding| diagnostic(uri, &positions, finding))
            .collect();
        let version = document.version;
        let lines = document.text.lines().count();
        self.publish(uri.clone(), Some(version), diagnostics);
        for (config, problems) in self.workspace.take_reports() {
            self.publish_config_problems(&config, problems);
        }
        self.log(format!(
            "linted {} (version {version}, {lines} lines) in {:.2} ms",
            uri.as_str(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
    }

    /// A config file changed: it is read again and every open document is
    /// linted with it.
    fn config_changed(&mut self, path: &std::path::Path) {
        if !path.ends_with(CONFIG_FILE_NAME) {
            return;
        }
        self.workspace.forget(path);
        let open: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in open {
            self.lint(&uri);
        }
    }

    /// Brings a document's findings up to date before answering about it.
    fn flush(&mut self, uri: &Uri) {
        if self.due.contains_key(uri) {
            self.lint(uri);
        }
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        self.flush(uri);
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
            let diagnostic = diagnostic(uri, &positions, finding);
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
        self.flush(uri);
        let document = self.documents.get(uri)?;
        let positions = Positions::new(&document.text, self.encoding);
        let offset = positions.offset(params.text_document_position_params.position);
        let covering: Vec<&Finding> = document
            .findings
            .iter()
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
        // A send fails only once the client is gone; the loop ends then.
        let _ = self.sender.send(message);
    }
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

fn diagnostic(uri: &Uri, positions: &Positions<'_>, finding: &Finding) -> Diagnostic {
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = finding
        .labels
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), positions.range(label.span)),
            message: label.message.clone(),
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
