//! `podlint lsp` as an editor sees it: the binary is started as a child
//! process and spoken to in JSON-RPC over its standard input and output.

mod bin;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any answer may take before the test fails (a hang, not a timing).
const PATIENCE: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications that arrived while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
    /// What the server said at initialization.
    capabilities: Value,
}

impl Client {
    /// Starts `podlint lsp` in `root` and initializes it.
    fn start(root: &Path, client_capabilities: Value) -> Client {
        Client::spawn(root, client_capabilities, &bin::path_with_tools())
    }

    /// Starts it with only `tools` on PATH (no helm, no kubectl).
    fn start_with_path(root: &Path, tools: &Path) -> Client {
        Client::spawn(root, json!({}), tools.as_os_str())
    }

    fn spawn(root: &Path, client_capabilities: Value, path: &std::ffi::OsStr) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_podlint"))
            .arg("lsp")
            .current_dir(root)
            .env("PATH", path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start podlint lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
            capabilities: Value::Null,
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": client_capabilities,
            }),
        );
        client.capabilities = result["capabilities"].clone();
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            if message.get("method").is_some() && message.get("id").is_none() {
                self.backlog.push_back(message);
            }
        }
    }

    fn receive(&mut self) -> Value {
        self.incoming
            .recv_timeout(PATIENCE)
            .expect("the server did not answer in time")
    }

    /// The next notification with this method (and `uri`, when given).
    fn notification(&mut self, method: &str, uri: Option<&str>) -> Value {
        let matches =
            |m: &Value| m["method"] == method && uri.is_none_or(|u| m["params"]["uri"] == u);
        if let Some(index) = self.backlog.iter().position(matches) {
            return self.backlog.remove(index).unwrap_or_default();
        }
        loop {
            let message = self.receive();
            if matches(&message) {
                return message;
            }
            if message.get("method").is_some() && message.get("id").is_none() {
                self.backlog.push_back(message);
            }
        }
    }

    /// The diagnostics published next for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.notification("textDocument/publishDiagnostics", Some(uri));
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
        self.diagnostics(uri)
    }

    /// Waits until the server logs that it rendered a chart or built
    /// kustomization roots; returns the log line.
    fn rendered(&mut self) -> String {
        loop {
            let message = self.notification("window/logMessage", None);
            let line = message["params"]["message"].as_str().unwrap_or_default();
            if line.starts_with("rendered ") {
                return line.to_string();
            }
        }
    }

    /// The last diagnostics published for `uri` so far (after [`Client::rendered`]).
    fn published(&mut self, uri: &str) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let last = self
            .backlog
            .iter()
            .rposition(matches)
            .unwrap_or_else(|| panic!("nothing was published for {uri}"));
        let message = self.backlog[last].clone();
        self.backlog.retain(|m| !matches(m));
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn hover(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    fn save(&mut self, uri: &str) {
        self.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    fn shutdown(mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "podlint lsp did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `code line:col-line:col` of each diagnostic (0-based, as the protocol has them).
fn summary(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            format!(
                "{} {}:{}-{}:{}",
                d["code"].as_str().unwrap_or("?"),
                r["start"]["line"],
                r["start"]["character"],
                r["end"]["line"],
                r["end"]["character"]
            )
        })
        .collect()
}

const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostName: web-0
      containers:
        - name: web
          image: nginx:latest
          resources:
            limits: {memory: 128Mi, cpu: 500m}
            requests: {memory: 64Mi, cpu: 100m}
          livenessProbe: {httpGet: {path: /, port: 80}}
          readinessProbe: {httpGet: {path: /, port: 80}}
";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    bin::without_security_rules(dir.path());
    dir
}

#[test]
fn diagnostics_have_exact_ranges_and_codes_and_clear_once_fixed() {
    let dir = workspace();
    let web = uri(&dir.path().join("web.yaml"));
    let mut client = Client::start(dir.path(), json!({}));
    assert_eq!(client.capabilities["positionEncoding"], "utf-16");

    let diagnostics = client.open(&web, WEB);
    assert_eq!(
        summary(&diagnostics),
        ["unknown-field 11:6-11:14", "image-latest-tag 14:10-14:29"]
    );
    let latest = &diagnostics[1];
    assert_eq!(latest["severity"], 2);
    assert_eq!(latest["source"], "podlint");
    assert_eq!(
        latest["message"],
        "image `nginx:latest` uses the `latest` tag\nhelp: pin a version tag or a digest: a restarted Pod may otherwise run different code"
    );
    assert_eq!(
        latest["codeDescription"]["href"],
        "https://github.com/podlint/podlint/blob/main/rules/image-latest-tag.md"
    );
    assert_eq!(diagnostics[0]["severity"], 1);

    let fixed = WEB
        .replace("nginx:latest", "nginx:1.27")
        .replace("hostName", "hostname");
    let started = Instant::now();
    let diagnostics = client.change(&web, 2, &fixed);
    let elapsed = started.elapsed();
    assert_eq!(summary(&diagnostics), Vec::<String>::new());
    eprintln!(
        "lsp: {} lines re-linted and published {:.1} ms after the change",
        fixed.lines().count(),
        elapsed.as_secs_f64() * 1000.0
    );

    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": web}}),
    );
    assert_eq!(client.diagnostics(&web), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn a_half_typed_document_is_one_parse_error_and_other_yaml_is_silent() {
    let dir = workspace();
    let mut client = Client::start(dir.path(), json!({}));

    let pod = uri(&dir.path().join("pod.yaml"));
    let half = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [web\n";
    let diagnostics = client.open(&pod, half);
    assert_eq!(summary(&diagnostics), ["invalid-yaml 3:8-3:9"]);
    assert_eq!(diagnostics[0]["message"], "unclosed bracket '['");

    let workflow = uri(&dir.path().join("ci.yaml"));
    let broken_workflow = "name: ci\non: [push\njobs:\n";
    assert_eq!(client.open(&workflow, broken_workflow), Vec::<Value>::new());
    let values = uri(&dir.path().join("values.yaml"));
    assert_eq!(
        client.open(&values, "replicas: 3\nimage: {tag: latest}\n"),
        Vec::<Value>::new()
    );
    assert!(client.shutdown().success());
}

#[test]
fn the_workspace_config_is_honoured_and_read_again_when_it_changes() {
    let dir = workspace();
    let config = dir.path().join(".podlint.yaml");
    let original = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{original}  image-latest-tag: off\n")).expect("write");
    let web = uri(&dir.path().join("web.yaml"));
    let mut client = Client::start(
        dir.path(),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    // The server asks to be told about config files changing.
    let registration = client.receive();
    assert_eq!(registration["method"], "client/registerCapability");
    assert_eq!(
        registration["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/.podlint.yaml"
    );
    let id = registration["id"].clone();
    client.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));

    assert_eq!(
        summary(&client.open(&web, WEB)),
        ["unknown-field 11:6-11:14"]
    );

    std::fs::write(&config, &original).expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(
        summary(&client.diagnostics(&web)),
        ["unknown-field 11:6-11:14", "image-latest-tag 14:10-14:29"]
    );

    // A broken config is shown on the config file; documents get the defaults.
    std::fs::write(&config, "rules:\n  image-latest-tags: off\n").expect("write");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    let problems = client.diagnostics(&uri(&config));
    assert_eq!(summary(&problems), ["config 1:2-1:19"]);
    assert!(
        problems[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("image-latest-tags")
                && m.contains("did you mean `image-latest-tag`")),
        "{}",
        problems[0]["message"]
    );
    std::fs::write(&config, &original).expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(client.diagnostics(&uri(&config)), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

/// Applies a code action's edits (ASCII text: columns are bytes).
fn apply(text: &str, action: &Value) -> String {
    let changes = action["edit"]["changes"].as_object().expect("changes");
    let edits = changes
        .values()
        .next()
        .and_then(Value::as_array)
        .expect("edits");
    let offset = |position: &Value| {
        let line = position["line"].as_u64().expect("line") as usize;
        let character = position["character"].as_u64().expect("character") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().expect("newText"),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

fn actions(client: &mut Client, uri: &str, line: u32) -> Vec<Value> {
    let result = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": {"diagnostics": []},
        }),
    );
    result.as_array().cloned().unwrap_or_default()
}

fn titled(actions: &[Value], title: &str) -> Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .cloned()
        .unwrap_or_else(|| panic!("no action `{title}` among {actions:#?}"))
}

#[test]
fn quick_fixes_rename_a_misspelled_key_and_silence_a_line() {
    let dir = workspace();
    let web = uri(&dir.path().join("web.yaml"));
    let mut client = Client::start(dir.path(), json!({}));
    client.open(&web, WEB);

    let on_host_name = actions(&mut client, &web, 11);
    let rename = titled(&on_host_name, "Replace `hostName` with `hostname`");
    assert_eq!(rename["kind"], "quickfix");
    assert_eq!(rename["isPreferred"], true);
    assert_eq!(rename["diagnostics"][0]["code"], "unknown-field");
    let renamed = apply(WEB, &rename);
    assert_eq!(renamed, WEB.replace("hostName: web-0", "hostname: web-0"));
    assert_eq!(
        summary(&client.change(&web, 2, &renamed)),
        ["image-latest-tag 14:10-14:29"]
    );

    let on_image = actions(&mut client, &web, 14);
    let ignore = titled(&on_image, "Ignore `image-latest-tag` on this line");
    let ignored = apply(&renamed, &ignore);
    assert_eq!(
        ignored,
        renamed.replace(
            "          image: nginx:latest\n",
            "          # podlint-ignore: image-latest-tag\n          image: nginx:latest\n"
        )
    );
    assert_eq!(
        summary(&client.change(&web, 3, &ignored)),
        Vec::<String>::new()
    );
    assert!(client.shutdown().success());
}

#[test]
fn quick_fixes_set_allow_privilege_escalation_in_yaml_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".podlint.yaml"),
        "rules:\n  run-as-root: off\n  read-only-root-fs-missing: off\n  dangerous-capabilities: off\n  image-latest-tag: off\n  unknown-field: off\n",
    )
    .expect("config");
    let web = uri(&dir.path().join("web.yaml"));
    let mut client = Client::start(dir.path(), json!({}));
    let diagnostics = client.open(&web, WEB);
    assert_eq!(
        summary(&diagnostics),
        ["privilege-escalation-allowed 13:10-13:19"]
    );
    let set = titled(
        &actions(&mut client, &web, 13),
        "Set `allowPrivilegeEscalation: false`",
    );
    let fixed = apply(WEB, &set);
    assert_eq!(
        fixed,
        format!("{WEB}          securityContext:\n            allowPrivilegeEscalation: false\n")
    );
    assert_eq!(
        summary(&client.change(&web, 2, &fixed)),
        Vec::<String>::new()
    );

    // `true` becomes `false`, the comment beside it stays.
    let explicit = fixed.replace(
        "allowPrivilegeEscalation: false",
        "allowPrivilegeEscalation: true # for ping",
    );
    assert_eq!(
        summary(&client.change(&web, 3, &explicit)),
        ["privilege-escalation-allowed 21:12-21:42"]
    );
    let set = titled(
        &actions(&mut client, &web, 21),
        "Set `allowPrivilegeEscalation: false`",
    );
    assert_eq!(
        apply(&explicit, &set),
        fixed.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: false # for ping"
        )
    );

    // JSON has no comments and no block style: the fix goes inline.
    let json_uri = uri(&dir.path().join("pod.json"));
    let pod = r#"{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
 "spec": {"template": {"spec": {"restartPolicy": "Never",
  "containers": [{"name": "once", "image": "busybox:1.36", "resources": {"limits": {"memory": "64Mi", "cpu": "100m"}, "requests": {"memory": "64Mi", "cpu": "100m"}}}]}}}}
"#;
    assert_eq!(
        summary(&client.open(&json_uri, pod)),
        ["privilege-escalation-allowed 2:18-2:32"]
    );
    let on_line = actions(&mut client, &json_uri, 2);
    let titles: Vec<&str> = on_line.iter().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(titles, ["Set `allowPrivilegeEscalation: false`"]);
    let fixed = apply(pod, &on_line[0]);
    let parsed: Value = serde_json::from_str(&fixed).expect("still JSON");
    assert_eq!(
        parsed["spec"]["template"]["spec"]["containers"][0]["securityContext"],
        json!({"allowPrivilegeEscalation": false})
    );
    assert_eq!(
        summary(&client.change(&json_uri, 2, &fixed)),
        Vec::<String>::new()
    );
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_a_diagnostic_shows_the_rule_documentation() {
    let dir = workspace();
    let web = uri(&dir.path().join("web.yaml"));
    let mut client = Client::start(dir.path(), json!({}));
    client.open(&web, WEB);
    let hover = client.hover(&web, 14, 22);
    assert_eq!(hover["contents"]["kind"], "markdown");
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.starts_with(
        "**image-latest-tag** (warning): image `nginx:latest` uses the `latest` tag\n\n# image-latest-tag\n"
    ), "{text}");
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/image-latest-tag.md"),
    )
    .expect("rule doc");
    let why = doc
        .split("## Why it matters\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a Why it matters section");
    assert!(text.contains(why.trim()), "{text}");
    assert_eq!(
        hover["range"]["start"],
        json!({"line": 14, "character": 10})
    );

    let elsewhere = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": web}, "position": {"line": 2, "character": 3}}),
    );
    assert_eq!(elsewhere, Value::Null);
    assert!(client.shutdown().success());
}

#[test]
fn columns_follow_the_negotiated_position_encoding() {
    let dir = workspace();
    let pod = uri(&dir.path().join("pod.yaml"));
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - {name: \"wéb😀\", image: nginx:latest, resources: {limits: {memory: 64Mi, cpu: 1}, requests: {memory: 64Mi, cpu: 1}}, livenessProbe: {tcpSocket: {port: 80}}, readinessProbe: {tcpSocket: {port: 80}}}\n";
    let start = |client: &mut Client| {
        let diagnostics = client.open(&pod, text);
        let latest = diagnostics
            .iter()
            .find(|d| d["code"] == "image-latest-tag")
            .expect("image-latest-tag");
        latest["range"]["start"]["character"].clone()
    };
    let mut utf16 = Client::start(dir.path(), json!({}));
    // `image` follows 25 characters, one of them two UTF-16 units (😀)
    assert_eq!(start(&mut utf16), 26);
    assert!(utf16.shutdown().success());
    let mut utf8 = Client::start(
        dir.path(),
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(utf8.capabilities["positionEncoding"], "utf-8");
    // ... and two of them more than one byte (é: 2, 😀: 4).
    assert_eq!(start(&mut utf8), 29);
    assert!(utf8.shutdown().success());
}

/// A Deployment of about 300 lines: the size the issue times.
fn large_manifest(image: &str) -> String {
    let mut text = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\nspec:\n  selector:\n    matchLabels:\n      app: big\n  template:\n    metadata:\n      labels:\n        app: big\n    spec:\n      containers:\n",
    );
    for i in 0..12 {
        text.push_str(&format!(
            "        - name: c{i}
          image: {image}
          ports:
            - containerPort: {port}
          env:
            - name: MODE
              value: fast
            - name: LEVEL
              value: \"{i}\"
          resources:
            limits:
              memory: 128Mi
              cpu: 500m
            requests:
              memory: 64Mi
              cpu: 100m
          livenessProbe:
            httpGet:
              path: /healthz
              port: {port}
          readinessProbe:
            httpGet:
              path: /ready
              port: {port}
",
            port = 8000 + i
        ));
    }
    text
}

#[test]
fn a_300_line_manifest_is_relinted_after_each_change() {
    let dir = workspace();
    let big = uri(&dir.path().join("big.yaml"));
    let mut client = Client::start(dir.path(), json!({}));
    let text = large_manifest("registry.example/app:1.0");
    let lines = text.lines().count();
    assert!((290..=320).contains(&lines), "{lines} lines");
    assert_eq!(client.open(&big, &text), Vec::<Value>::new());
    client.notification("window/logMessage", None);
    let mut timings = Vec::new();
    for version in 2..12 {
        let image = if version % 2 == 0 {
            "registry.example/app:latest"
        } else {
            "registry.example/app:1.0"
        };
        let started = Instant::now();
        let diagnostics = client.change(&big, version, &large_manifest(image));
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
        let expected = if version % 2 == 0 { 12 } else { 0 };
        assert_eq!(diagnostics.len(), expected, "version {version}");
        let log = client.notification("window/logMessage", None);
        eprintln!(
            "lsp server: {}",
            log["params"]["message"].as_str().unwrap_or_default()
        );
    }
    timings.sort_by(f64::total_cmp);
    eprintln!(
        "lsp: {lines}-line manifest, change to published diagnostics: median {:.1} ms, max {:.1} ms (debounce included)",
        timings[timings.len() / 2],
        timings[timings.len() - 1]
    );
    assert!(client.shutdown().success());
}

#[test]
fn files_the_config_excludes_get_no_diagnostics() {
    let dir = workspace();
    let config = dir.path().join(".podlint.yaml");
    let original = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{original}exclude: [\"generated/**\"]\n")).expect("write");
    let mut client = Client::start(dir.path(), json!({}));
    let generated = uri(&dir.path().join("generated/web.yaml"));
    assert_eq!(client.open(&generated, WEB), Vec::<Value>::new());
    let written = uri(&dir.path().join("deploy/web.yaml"));
    assert_eq!(
        summary(&client.open(&written, WEB)),
        ["unknown-field 11:6-11:14", "image-latest-tag 14:10-14:29"]
    );
    assert!(client.shutdown().success());
}

/// A message framed as a client frames it.
fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

const INITIALIZE: &str =
    r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;

/// Runs `podlint lsp` on these bytes as its whole input: its exit code,
/// the messages it wrote and its standard error.
fn raw_session(input: Vec<u8>) -> (i32, Vec<Value>, String) {
    let dir = workspace();
    let output = bin::podlint(dir.path())
        .arg("lsp")
        .write_stdin(input)
        .timeout(PATIENCE)
        .output()
        .expect("podlint lsp runs");
    let mut messages = Vec::new();
    let mut reader = &output.stdout[..];
    while let Some(message) = read_message(&mut reader) {
        messages.push(message);
    }
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().unwrap_or(-1), messages, stderr)
}

/// `id: ok` or `id: error code` of each response.
fn answers(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m.get("method").is_none())
        .map(|m| match m.get("error") {
            Some(error) => format!("{}: error {}", m["id"], error["code"]),
            None => format!("{}: ok", m["id"]),
        })
        .collect()
}

#[test]
fn language_server_framing_refuses_huge_messages_without_allocating() {
    for length in ["100000000000", "18446744073709551615", "4000000000"] {
        let (code, _, stderr) =
            raw_session(format!("Content-Length: {length}\r\n\r\n{{}}").into_bytes());
        assert_eq!(code, 1, "{length}");
        assert_eq!(
            stderr,
            format!(
                "podlint lsp: the stream ended inside a message: 2 of its {length} bytes came\n"
            )
        );
    }
    // A message just over the limit is skipped whole, the server says so
    // and answers the next one.
    let mut input = frame(INITIALIZE);
    let over = 64 * 1024 * 1024 + 1;
    input.extend(format!("Content-Length: {over}\r\n\r\n").into_bytes());
    input.resize(input.len() + over, b' ');
    input.extend(frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    input.extend(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (code, messages, stderr) = raw_session(input);
    let said = "podlint: skipped a message of 64.0 MiB from the editor: the language server reads messages up to 64 MiB";
    assert_eq!(stderr, format!("{said}\n"));
    assert!(
        messages
            .iter()
            .any(|m| m["method"] == "window/showMessage" && m["params"]["message"] == said),
        "{messages:?}"
    );
    assert_eq!(answers(&messages), ["1: ok", "2: ok"]);
    assert_eq!(code, 0);
    let (code, _, stderr) = raw_session(b"Content-Length: abc\r\n\r\n".to_vec());
    assert_eq!(
        (code, stderr.as_str()),
        (
            1,
            "podlint lsp: Content-Length \"abc\" is not a byte count\n"
        )
    );
    let (code, _, stderr) = raw_session(b"{\"jsonrpc\": \"2.0\"}\r\n\r\n".to_vec());
    assert_eq!(
        (code, stderr.as_str()),
        (
            1,
            "podlint lsp: malformed header line \"{\\\"jsonrpc\\\": \\\"2.0\\\"}\": expected `Name: value`\n"
        )
    );
}

#[test]
fn language_server_errors_are_answered_and_the_session_goes_on() {
    let mut input = frame(INITIALIZE);
    for body in [
        "{not json",
        "[1, 2]",
        r#"{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{"x":"\ud800"}}"#,
        r#"{"jsonrpc":"2.0","id":8}"#,
        r#"{"jsonrpc":"2.0","id":9,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.yaml"},"position":{"line":0,"character":0}}}"#,
        r#"{"jsonrpc":"2.0","id":10,"method":"shutdown"}"#,
        r#"{"jsonrpc":"2.0","id":11,"method":"textDocument/hover","params":{}}"#,
        r#"{"jsonrpc":"2.0","method":"exit"}"#,
    ] {
        input.extend(frame(body));
    }
    let (code, messages, stderr) = raw_session(input);
    assert_eq!(
        answers(&messages),
        [
            "1: ok",
            "null: error -32700",
            "null: error -32600",
            "null: error -32700",
            "8: error -32600",
            "9: ok",
            "10: ok",
            "11: error -32600",
        ]
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    // `exit` without `shutdown` is exit 1, as the protocol has it.
    let mut input = frame(INITIALIZE);
    input.extend(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    let (code, _, stderr) = raw_session(input);
    assert_eq!(
        (code, stderr.as_str()),
        (1, "podlint lsp: `exit` came before `shutdown`\n")
    );
}

/// A Deployment with `containers` containers that have nothing set but
/// a name and an image with the `latest` tag.
fn many_containers(containers: usize) -> String {
    let mut text = String::from("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: many}\nspec:\n  selector: {matchLabels: {app: many}}\n  template:\n    metadata: {labels: {app: many}}\n    spec:\n      containers:\n");
    for i in 0..containers {
        text.push_str(&format!(
            "        - {{name: c{i}, image: \"nginx:latest\"}}\n"
        ));
    }
    text
}

#[test]
fn language_server_size_and_volume_are_bounded_and_requests_answered_meanwhile() {
    let dir = workspace();
    let mut client = Client::start(dir.path(), json!({}));
    let huge = uri(&dir.path().join("huge.yaml"));
    let mut text = many_containers(10);
    text.push_str(&"# padding\n".repeat(420_000));
    let diagnostics = client.open(&huge, &text);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        diagnostics[0]["message"],
        "podlint: this document is larger (4.0 MiB) than the language server lints (4 MiB); run `podlint` on the file instead"
    );

    let many = uri(&dir.path().join("many.yaml"));
    let diagnostics = client.open(&many, &many_containers(300));
    assert_eq!(diagnostics.len(), 1001);
    assert_eq!(
        diagnostics[1000]["message"],
        "podlint: 500 more findings are not shown (the language server shows the first 1000 of a document; `podlint` on the file lists them all)"
    );

    // While a large document is linted, a request about another one is
    // answered: its answer comes before the large one's diagnostics.
    let web = uri(&dir.path().join("web.yaml"));
    client.open(&web, WEB);
    let large = uri(&dir.path().join("large.yaml"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": large, "languageId": "yaml", "version": 1, "text": many_containers(20_000)}}),
    );
    let hover = client.hover(&web, 14, 22);
    assert_eq!(
        hover["range"]["start"],
        json!({"line": 14, "character": 10})
    );
    assert!(
        !client
            .backlog
            .iter()
            .any(|m| m["params"]["uri"] == json!(large)),
        "the large document was linted before the hover was answered"
    );
    assert_eq!(client.diagnostics(&large).len(), 1001);
    assert!(client.shutdown().success());
}

/// A copy of a fixture folder in a workspace without the security rules.
fn fixture_copy(fixture: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = workspace();
    let to = dir
        .path()
        .join(Path::new(fixture).file_name().expect("name"));
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(fixture),
        &to,
    );
    (dir, to)
}

/// The values-inserts fixture chart in a workspace, once `test` may use helm:
/// the workspace, the chart folder, and its values.yaml (URI and text).
fn values_inserts_chart(test: &str) -> Option<(tempfile::TempDir, PathBuf, String, String)> {
    if !bin::helm_available(test) {
        return None;
    }
    let (dir, chart) = fixture_copy("charts/values-inserts");
    let path = chart.join("values.yaml");
    let text = std::fs::read_to_string(&path).expect("values");
    Some((dir, chart, uri(&path), text))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `code line:col-line:col: message` of each diagnostic.
fn with_messages(diagnostics: &[Value]) -> Vec<String> {
    summary(diagnostics)
        .into_iter()
        .zip(diagnostics)
        .map(|(at, d)| {
            format!(
                "{at}: {}",
                d["message"]
                    .as_str()
                    .unwrap_or("?")
                    .lines()
                    .next()
                    .unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_chart_file_opened_shows_the_chart_findings_on_its_values_and_templates() {
    let Some((_dir, chart, values, on_disk)) = values_inserts_chart(
        "a_chart_file_opened_shows_the_chart_findings_on_its_values_and_templates",
    ) else {
        return;
    };
    let values_path = chart.join("values.yaml");
    let template = uri(&chart.join("templates/deployment.yaml"));
    let mut client = Client::start(chart.parent().expect("parent"), json!({}));

    client.open(&values, &on_disk);
    let line = client.rendered();
    eprintln!("lsp: {line}");
    let on_values = client.published(&values);
    assert_eq!(
        with_messages(&on_values),
        [
            "memory-limit-missing 1:0-1:9: container `web` has no memory limit",
            "resource-requests-missing 1:0-1:9: container `web` has no cpu or memory request",
            "privileged-container 4:2-4:12: container `web` runs privileged",
            "resource-requests-missing 7:4-7:12: container `sidecar` has no cpu request",
            "requests-exceed-limits 8:6-8:17: container `sidecar` requests 2Gi memory but is limited to 1Gi",
        ]
    );
    // The template line that inserts the values is a related location.
    let inserted = &on_values[0]["relatedInformation"][0];
    assert_eq!(inserted["location"]["uri"], template.as_str());
    assert_eq!(
        inserted["location"]["range"]["start"],
        json!({"line": 16, "character": 10})
    );
    assert_eq!(inserted["message"], "inserted here");
    assert_eq!(
        summary(&client.published(&template)),
        [
            "liveness-probe-missing 14:10-14:19",
            "readiness-probe-missing 14:10-14:19",
            "liveness-probe-missing 21:10-21:23",
            "readiness-probe-missing 21:10-21:23",
        ]
    );

    // The buffer, not the disk, is rendered on save: the fixed values
    // clear their findings and the template keeps its own.
    let fixed = "resources: {limits: {memory: 64Mi}, requests: {cpu: 10m, memory: 32Mi}}\n\
                 securityContext:\n  runAsNonRoot: true\n\
                 sidecar:\n  resources:\n    requests: {cpu: 10m, memory: 1Gi}\n    limits: {memory: 1Gi}\n";
    client.change(&values, 2, fixed);
    client.save(&values);
    client.rendered();
    assert_eq!(client.published(&values), Vec::<Value>::new());
    assert_eq!(summary(&client.published(&template)).len(), 4);
    assert_eq!(
        std::fs::read_to_string(&values_path).expect("values"),
        on_disk
    );

    // A template opened as the editor has it is rendered with it: a
    // `required` left unfilled is a render-failed finding at its line, and
    // the findings of the render that failed go away.
    let broken = std::fs::read_to_string(chart.join("templates/deployment.yaml"))
        .expect("template")
        .replace(
            "image: nginx:1.27",
            "image: {{ required \"image is required\" .Values.image }}",
        );
    client.open(&template, &broken);
    client.rendered();
    assert_eq!(
        with_messages(&client.published(&template)),
        ["render-failed 15:19-15:65: helm template failed: execution error at (values-inserts/templates/deployment.yaml:16:20): image is required"]
    );
    assert_eq!(client.published(&values), Vec::<Value>::new());
    assert!(client.shutdown().success());
}

#[test]
fn kustomization_files_opened_show_the_build_findings_on_base_and_patch_files() {
    if !bin::tool_available(
        "kustomization_files_opened_show_the_build_findings_on_base_and_patch_files",
        "kubectl",
    ) {
        return;
    }
    let (dir, tree) = fixture_copy("kustomize/overlays");
    let base = uri(&tree.join("base/web.yaml"));
    let patch = uri(&tree.join("mid/privileged.yaml"));
    let top = uri(&tree.join("top/kustomization.yaml"));
    let mut client = Client::start(dir.path(), json!({}));

    let text = std::fs::read_to_string(tree.join("base/web.yaml")).expect("base");
    client.open(&base, &text);
    eprintln!("lsp: {}", client.rendered());
    assert_eq!(
        with_messages(&client.published(&base)),
        ["host-namespace 11:6-11:19: the Pod shares the node's process namespace (hostPID: true)"]
    );
    assert_eq!(
        with_messages(&client.published(&patch)),
        ["privileged-container 10:10-10:26: container `web` runs privileged"]
    );
    assert_eq!(
        with_messages(&client.published(&top)),
        ["host-namespace 10:6-10:17: the Pod shares the node's network namespace (hostNetwork: true)"]
    );

    // Kustomize builds from the disk: the patch fixed and saved clears its finding.
    let fixed = std::fs::read_to_string(tree.join("mid/privileged.yaml"))
        .expect("patch")
        .replace("privileged: true", "privileged: false");
    std::fs::write(tree.join("mid/privileged.yaml"), &fixed).expect("write patch");
    client.open(&patch, &fixed);
    client.rendered();
    assert_eq!(client.published(&patch), Vec::<Value>::new());
    assert_eq!(
        summary(&client.published(&base)),
        ["host-namespace 11:6-11:19"]
    );

    // A root that no longer builds is a render-failed finding on its
    // kustomization, which stays shown while that file is open.
    let top_path = tree.join("top/kustomization.yaml");
    let broken = std::fs::read_to_string(&top_path)
        .expect("kustomization")
        .replace("- ../mid\n", "- ../mid\n- missing.yaml\n");
    std::fs::write(&top_path, &broken).expect("write kustomization");
    client.open(&top, &broken);
    client.rendered();
    assert_eq!(summary(&client.published(&top)), ["render-failed 2:2-2:14"]);
    assert!(client.shutdown().success());
}

#[test]
fn without_helm_a_chart_file_gets_one_message_and_manifests_are_still_linted() {
    let (dir, chart) = fixture_copy("charts/values-inserts");
    let empty = tempfile::tempdir().expect("tempdir");
    let mut client = Client::start_with_path(dir.path(), empty.path());
    let values_path = chart.join("values.yaml");
    let values = uri(&values_path);
    let text = std::fs::read_to_string(&values_path).expect("values");
    assert_eq!(client.open(&values, &text), Vec::<Value>::new());
    let shown = client.notification("window/showMessage", None);
    assert_eq!(shown["params"]["type"], 2);
    let message = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("podlint: helm was not found on PATH: Helm charts are rendered with `helm template`; install helm"),
        "{message}"
    );
    client.rendered();
    // A template is not a manifest, even one without actions: without helm
    // it gets nothing.
    let template_path = chart.join("templates/web.yaml");
    std::fs::write(&template_path, WEB).expect("write template");
    assert_eq!(client.open(&uri(&template_path), WEB), Vec::<Value>::new());
    client.rendered();
    let web = uri(&dir.path().join("web.yaml"));
    assert_eq!(
        summary(&client.open(&web, WEB)),
        ["unknown-field 11:6-11:14", "image-latest-tag 14:10-14:29"]
    );
    // Saving renders again, but the message is not repeated.
    client.save(&values);
    client.rendered();
    let repeated = client
        .backlog
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .count();
    assert_eq!(repeated, 0);
    assert!(client.shutdown().success());
}

#[test]
fn requests_are_answered_while_a_chart_renders_and_hover_explains_its_findings() {
    let Some((dir, _chart, values, values_text)) = values_inserts_chart(
        "requests_are_answered_while_a_chart_renders_and_hover_explains_its_findings",
    ) else {
        return;
    };
    // A helm that waits for the test's word: the render is under way for
    // as long as the test needs.
    let gate = dir.path().join("go");
    let script = dir.path().join("gated-helm");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nwhile [ ! -e '{}' ]; do sleep 0.02; done\nexec helm \"$@\"\n",
            gate.display()
        ),
    )
    .expect("write script");
    let mut permissions = std::fs::metadata(&script).expect("script").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&script, permissions).expect("chmod");
    let config = dir.path().join(".podlint.yaml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("helm:\n  binary: ./gated-helm\n");
    std::fs::write(&config, text).expect("write config");

    let mut client = Client::start(dir.path(), json!({}));
    client.open(&values, &values_text);
    let web = uri(&dir.path().join("web.yaml"));
    assert_eq!(
        summary(&client.open(&web, WEB)),
        ["unknown-field 11:6-11:14", "image-latest-tag 14:10-14:29"]
    );
    let hover = client.hover(&web, 14, 22);
    assert_eq!(
        hover["range"]["start"],
        json!({"line": 14, "character": 10})
    );
    let rendered = client.backlog.iter().any(|m| {
        m["params"]["message"]
            .as_str()
            .is_some_and(|line| line.starts_with("rendered "))
    });
    assert!(!rendered, "the chart rendered before helm was let go");

    std::fs::write(&gate, "").expect("open the gate");
    client.rendered();
    assert_eq!(summary(&client.published(&values)).len(), 5);
    let hover = client.hover(&values, 1, 3);
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("**memory-limit-missing** (warning): container `web` has no memory limit"),
        "{text}"
    );
    assert!(client.shutdown().success());
}

const POSTGRES_CLUSTERS: &str = "apiVersion: db.example.com/v1
kind: PostgresCluster
metadata:
  name: billing
spec:
  postgresVersion: \"16\"
  instances:
  - name: primary
    replica: 2
---
apiVersion: db.example.com/v1beta1
kind: PostgresCluster
metadata:
  name: legacy
spec: {}
";

/// An open custom resource is typed by the CRDs of its git repository, as
/// `podlint check <repository>` types it (same spans and messages), not by
/// those of a repository beside it; the CRD's editor buffer wins over its
/// file until it is closed, and its file is read again then.
/// What the fixture CRD finds in [`POSTGRES_CLUSTERS`], as the editor
/// publishes it.
const POSTGRES_CLUSTERS_TYPED: [&str; 3] = [
    "invalid-field 5:19-5:23: expected an integer, found the string \"16\"",
    "unknown-field 8:4-8:11: `replica` is not a field of PostgresCluster spec.instances[]",
    "deprecated-api-version 10:12-10:34: PostgresCluster is not served as db.example.com/v1beta1: its CRD serves db.example.com/v1",
];

/// Writes the fixture CRD to `operator/config/crd/postgres.yaml` and
/// [`POSTGRES_CLUSTERS`] to `operator/deploy/cluster.yaml` and
/// `other/cluster.yaml` (their folders made already); the CRD's text.
fn write_operator_and_other(operator: &Path, other: &Path) -> String {
    let crd = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/crds/definitions/postgresclusters.yaml"),
    )
    .expect("read the CRD");
    std::fs::write(operator.join("config/crd/postgres.yaml"), &crd).expect("write");
    std::fs::write(operator.join("deploy/cluster.yaml"), POSTGRES_CLUSTERS).expect("write");
    std::fs::write(other.join("cluster.yaml"), POSTGRES_CLUSTERS).expect("write");
    crd
}

/// `podlint check --format json .` run in `dir`: each finding as
/// "rule line:column: message", counted from 0 as the editor counts.
fn checked_from(dir: &Path) -> Vec<String> {
    let checked = Command::new(env!("CARGO_BIN_EXE_podlint"))
        .args(["check", "--format", "json", "."])
        .current_dir(dir)
        .output()
        .expect("podlint check");
    let checked: Value = serde_json::from_slice(&checked.stdout).expect("json");
    checked["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}: {}",
                f["rule"].as_str().unwrap_or("?"),
                f["line"].as_i64().unwrap_or(0) - 1,
                f["column"].as_i64().unwrap_or(0) - 1,
                f["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// Diagnostics as [`with_messages`] words them, with their starts only.
fn starts_of(diagnostics: &[&str]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|t| {
            let (at, message) = t.split_once(": ").unwrap_or_default();
            let (rule, range) = at.split_once(' ').unwrap_or_default();
            format!(
                "{rule} {}: {message}",
                range.split('-').next().unwrap_or("")
            )
        })
        .collect()
}

/// Outside git, the CRDs of the workspace folder type the custom
/// resources of their own folder below it, as `podlint check <workspace
/// folder>` types them: not those of a folder beside it.
#[test]
fn outside_git_an_open_custom_resource_is_typed_by_the_crds_of_its_folder_in_the_workspace() {
    let dir = workspace();
    assert!(
        !dir.path().ancestors().any(|d| d.join(".git").exists()),
        "the test needs a workspace outside git"
    );
    let operator = dir.path().join("operator");
    let other = dir.path().join("other");
    for folder in [
        operator.join("config/crd"),
        operator.join("deploy"),
        other.clone(),
    ] {
        std::fs::create_dir_all(folder).expect("mkdir");
    }
    write_operator_and_other(&operator, &other);
    let typed = POSTGRES_CLUSTERS_TYPED;
    // The whole workspace checked: only the operator's resources are typed.
    assert_eq!(checked_from(dir.path()), starts_of(&typed));

    let mut client = Client::start(dir.path(), json!({}));
    assert_eq!(
        with_messages(&client.open(
            &uri(&operator.join("deploy/cluster.yaml")),
            POSTGRES_CLUSTERS
        )),
        typed
    );
    assert_eq!(
        with_messages(&client.open(&uri(&other.join("cluster.yaml")), POSTGRES_CLUSTERS)),
        Vec::<String>::new()
    );
    assert!(client.shutdown().success());
}

#[test]
fn an_open_custom_resource_is_typed_by_the_crds_of_its_repository() {
    let dir = workspace();
    let operator = dir.path().join("operator");
    let other = dir.path().join("other");
    for folder in [
        operator.join(".git"),
        operator.join("config/crd"),
        operator.join("deploy"),
        other.join(".git"),
    ] {
        std::fs::create_dir_all(folder).expect("mkdir");
    }
    let crd = write_operator_and_other(&operator, &other);
    let crd_path = operator.join("config/crd/postgres.yaml");
    let typed = POSTGRES_CLUSTERS_TYPED;
    // The command line, for comparison: the same findings at the same places.
    assert_eq!(checked_from(&operator), starts_of(&typed));

    let cluster = uri(&operator.join("deploy/cluster.yaml"));
    let beside = uri(&other.join("cluster.yaml"));
    let mut client = Client::start(dir.path(), json!({}));
    assert_eq!(
        with_messages(&client.open(&cluster, POSTGRES_CLUSTERS)),
        typed
    );
    assert_eq!(
        with_messages(&client.open(&beside, POSTGRES_CLUSTERS)),
        Vec::<String>::new()
    );

    // The CRD opened and edited: its buffer types the open resources.
    let definition = uri(&crd_path);
    client.open(&definition, &crd);
    assert_eq!(with_messages(&client.diagnostics(&cluster)), typed);
    assert_eq!(
        with_messages(&client.diagnostics(&beside)),
        Vec::<String>::new()
    );
    let with_replica = crd.replace(
        "                    replicas:\n",
        "                    replica:\n                      type: integer\n                    replicas:\n",
    );
    assert_ne!(with_replica, crd);
    client.change(&definition, 2, &with_replica);
    assert_eq!(
        with_messages(&client.diagnostics(&cluster)),
        [typed[0], typed[2]]
    );
    assert_eq!(
        with_messages(&client.diagnostics(&beside)),
        Vec::<String>::new()
    );

    // Closed unsaved: the file on disk types them again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": definition}}),
    );
    assert_eq!(with_messages(&client.diagnostics(&cluster)), typed);

    // Saved with the field: the file is read again.
    std::fs::write(&crd_path, &with_replica).expect("write");
    client.open(&definition, &with_replica);
    assert_eq!(
        with_messages(&client.diagnostics(&cluster)),
        [typed[0], typed[2]]
    );
    client.save(&definition);
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": definition}}),
    );
    assert_eq!(
        with_messages(&client.diagnostics(&cluster)),
        [typed[0], typed[2]]
    );
    assert!(client.shutdown().success());
}
