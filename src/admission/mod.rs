//! ValidatingAdmissionPolicies run before merge: the policies and bindings
//! (admissionregistration.k8s.io/v1) found in the run or in `--policies`
//! folders are read once ([`Policies::add_policies`]), the params they name
//! are taken from the run's ConfigMaps and custom resources
//! ([`Policies::add_params`]), and each object the API server would be asked
//! to CREATE is evaluated against every binding that matches it
//! ([`Policies::check`]), with the same CEL engine as custom checks.

mod matching;
pub mod prepass;

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::types::{CelBool, CelMap, CelMapKey, CelNull, CelString};
use cel::common::value::Val;

use crate::cel::{self as engine, Bindings, Expression};
use crate::custom::ObjectValues;
use crate::finding::{Label, Severity};
use crate::model::{self, Contents, Target};
use crate::rules::Report;
use crate::source::{self, LineIndex, Node, Position, Span};

use matching::{MatchResources, Request, Selector};

pub const API_VERSION: &str = "admissionregistration.k8s.io/v1";

/// Every policy, binding and param of a run, shared read-only by the workers.
#[derive(Default, Clone)]
pub struct Policies {
    policies: Vec<Arc<Policy>>,
    bindings: Vec<Arc<Binding>>,
    params: Vec<Arc<Param>>,
    /// The files read, with their text: a finding on an object of another
    /// file shows the validation's line (human output's second snippet).
    files: Vec<(Arc<str>, Arc<str>)>,
}

struct Policy {
    name: String,
    file: Arc<str>,
    matcher: MatchResources,
    /// The apiVersion and kind of its params.
    param_kind: Option<(String, String)>,
    variables: Vec<(String, Expression)>,
    validations: Vec<Validation>,
    /// `failurePolicy: Ignore` skips a validation that cannot be evaluated.
    ignore_failures: bool,
}

struct Validation {
    expression: Expression,
    message: Option<String>,
    message_expression: Option<Expression>,
    reason: Option<String>,
    field_path: Option<String>,
    /// The expression's span and position in the policy's file.
    span: Span,
    start: Position,
}

struct Binding {
    policy: String,
    param_ref: Option<ParamRef>,
    matcher: Option<MatchResources>,
    severity: Severity,
}

struct ParamRef {
    name: Option<String>,
    namespace: Option<String>,
    selector: Option<Selector>,
}

struct Param {
    api_version: String,
    kind: String,
    name: Option<String>,
    namespace: Option<String>,
    labels: Vec<(String, String)>,
    node: Node,
}

fn field<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(node, |node, key| node.get(key))
        .and_then(Node::as_str)
}

impl Policies {
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Whether `file` was read already.
    pub fn covers(&self, file: &str) -> bool {
        self.text(file).is_some()
    }

    /// The text of a policy file that was read.
    pub fn text(&self, file: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(name, _)| &**name == file)
            .map(|(_, text)| &**text)
    }

    /// The params' kinds that the policies name.
    pub fn param_kinds(&self) -> Vec<&str> {
        self.policies
            .iter()
            .filter_map(|p| p.param_kind.as_ref().map(|(_, kind)| kind.as_str()))
            .collect()
    }

    /// Reads the policies and bindings of one file. A validation that does
    /// not compile is returned as a message: the policy is not run.
    pub fn add_policies(&mut self, file: &Arc<str>, text: &str) -> Vec<String> {
        let mut problems = Vec::new();
        self.files.push((file.clone(), Arc::from(text)));
        let lines = LineIndex::new(text);
        each_object(text, |object| {
            if object.api_version != API_VERSION {
                return;
            }
            match object.kind {
                "ValidatingAdmissionPolicy" => match read_policy(file, &lines, object.node) {
                    Ok(policy) => self.policies.push(Arc::new(policy)),
                    Err(problem) => problems.push(problem),
                },
                "ValidatingAdmissionPolicyBinding" => {
                    self.bindings
                        .extend(read_binding(object.node).map(Arc::new));
                }
                _ => {}
            }
        });
        problems
    }

    /// Reads the objects of one file that are params of a policy.
    pub fn add_params(&mut self, text: &str) {
        let kinds: Vec<(String, String)> = self
            .policies
            .iter()
            .filter_map(|p| p.param_kind.clone())
            .collect();
        if kinds.is_empty() {
            return;
        }
        each_object(text, |object| {
            if !kinds
                .iter()
                .any(|(v, k)| v == object.api_version && k == object.kind)
            {
                return;
            }
            let labels = labels(object.node)
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect();
            self.params.push(Arc::new(Param {
                api_version: object.api_version.to_string(),
                kind: object.kind.to_string(),
                name: object.name.map(str::to_string),
                namespace: object.namespace.map(str::to_string),
                labels,
                node: object.node.clone(),
            }));
        });
    }

    /// Evaluates every binding that matches the object of `values`.
    /// `file` is the object's: a policy of the same file is labelled.
    pub fn check(&self, file: &str, values: &ObjectValues<'_>, report: &mut Report<'_>) {
        let object = values.object();
        // The API server is asked to create complete objects, not patches,
        // and policies do not judge themselves.
        if object.partial || self.bindings.is_empty() || object.api_version == API_VERSION {
            return;
        }
        let labels = labels(object.node).collect();
        let request = Request {
            api_version: object.api_version,
            kind: object.kind,
            name: object.name,
            namespace: object.namespace,
            labels,
        };
        for binding in &self.bindings {
            let Some(policy) = self.policies.iter().find(|p| p.name == binding.policy) else {
                continue;
            };
            if !policy.matcher.matches(&request, true)
                || !binding
                    .matcher
                    .as_ref()
                    .is_none_or(|m| m.matches(&request, false))
            {
                continue;
            }
            let params: Vec<Option<&Param>> = match (&policy.param_kind, &binding.param_ref) {
                (None, _) => vec![None],
                (Some(kind), Some(param_ref)) => self
                    .params_for(kind, param_ref, object.namespace)
                    .into_iter()
                    .map(Some)
                    .collect(),
                // A policy with params needs a binding that names them.
                (Some(_), None) => Vec::new(),
            };
            for param in params {
                evaluate(policy, binding, param, (file, values), &request, report);
            }
        }
    }

    /// The params a binding names; none found in the run means the policy
    /// cannot be judged offline (they live in the cluster).
    fn params_for(
        &self,
        (api_version, kind): &(String, String),
        param_ref: &ParamRef,
        namespace: Option<&str>,
    ) -> Vec<&Param> {
        self.params
            .iter()
            .map(Arc::as_ref)
            .filter(|p| &p.api_version == api_version && &p.kind == kind)
            .filter(|p| match (&param_ref.namespace, &p.namespace) {
                (Some(wanted), Some(ns)) => wanted == ns,
                (None, Some(ns)) => namespace.is_none_or(|n| n == ns),
                (_, None) => true,
            })
            .filter(|p| match (&param_ref.name, &param_ref.selector) {
                (Some(name), _) => p.name.as_deref() == Some(name),
                (None, Some(selector)) => {
                    let labels: Vec<(&str, &str)> = p
                        .labels
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    selector.matches(&labels)
                }
                (None, None) => false,
            })
            .collect()
    }
}

fn read_policy(file: &Arc<str>, lines: &LineIndex<'_>, node: &Node) -> Result<Policy, String> {
    let name = text_or_unnamed(node);
    let spec = node.get("spec");
    let compile = |node: &Node, what: &str| -> Result<Expression, String> {
        let source = node.as_str().unwrap_or_default();
        engine::compile(source).map_err(|error| {
            format!(
                "{file}:{}: ValidatingAdmissionPolicy `{name}`: {what} does not compile: {}",
                lines.position(node.span.start).line,
                error.message
            )
        })
    };
    let mut variables = Vec::new();
    for variable in spec
        .and_then(|s| s.get("variables"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if let (Some(var_name), Some(expression)) = (
            variable.get("name").and_then(Node::as_str),
            variable.get("expression"),
        ) {
            variables.push((var_name.to_string(), compile(expression, "a variable")?));
        }
    }
    let mut validations = Vec::new();
    for validation in spec
        .and_then(|s| s.get("validations"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(expression) = validation.get("expression") else {
            continue;
        };
        validations.push(Validation {
            expression: compile(expression, "a validation")?,
            message: field(validation, &["message"]).map(str::to_string),
            message_expression: validation
                .get("messageExpression")
                .map(|m| compile(m, "a messageExpression"))
                .transpose()?,
            reason: field(validation, &["reason"]).map(str::to_string),
            field_path: field(validation, &["fieldPath"]).map(str::to_string),
            span: expression.span,
            start: lines.position(expression.span.start),
        });
    }
    let param_kind = spec.and_then(|s| s.get("paramKind")).and_then(|p| {
        Some((
            p.get("apiVersion")?.as_str()?.to_string(),
            p.get("kind")?.as_str()?.to_string(),
        ))
    });
    Ok(Policy {
        name: name.to_string(),
        file: file.clone(),
        matcher: spec
            .and_then(|s| s.get("matchConstraints"))
            .map(MatchResources::read)
            .unwrap_or_default(),
        param_kind,
        variables,
        validations,
        ignore_failures: spec.and_then(|s| field(s, &["failurePolicy"])) == Some("Ignore"),
    })
}

/// Calls `visit` with each object of a file's text.
fn each_object(text: &str, mut visit: impl FnMut(&model::Object<'_>)) {
    for document in source::parse(text).documents {
        if let Contents::Objects(objects) =
            model::objects(&document.root, &model::Context::default())
        {
            objects.iter().for_each(&mut visit);
        }
    }
}

/// An object's string labels.
fn labels(node: &Node) -> impl Iterator<Item = (&str, &str)> {
    node.get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.key.as_str()?, e.value.as_str()?)))
}

fn text_or_unnamed(node: &Node) -> &str {
    field(node, &["metadata", "name"]).unwrap_or("(unnamed)")
}

fn read_binding(node: &Node) -> Option<Binding> {
    let spec = node.get("spec")?;
    let actions: Vec<&str> = spec
        .get("validationActions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    // The strongest action decides: Deny rejects, Warn warns, Audit records.
    let severity = if actions.contains(&"Deny") {
        Severity::Error
    } else if actions.contains(&"Warn") {
        Severity::Warning
    } else if actions.contains(&"Audit") {
        Severity::Info
    } else {
        return None;
    };
    let param_ref = spec.get("paramRef").map(|p| ParamRef {
        name: field(p, &["name"]).map(str::to_string),
        namespace: field(p, &["namespace"]).map(str::to_string),
        selector: p.get("selector").map(Selector::read),
    });
    Some(Binding {
        policy: field(spec, &["policyName"])?.to_string(),
        param_ref,
        matcher: spec.get("matchResources").map(MatchResources::read),
        severity,
    })
}

/// A CEL map with string keys.
fn map<'a>(entries: Vec<(&'a str, Box<dyn Val + 'a>)>) -> Box<dyn Val + 'a> {
    let map: HashMap<CelMapKey<'a>, Box<dyn Val + 'a>> = entries
        .into_iter()
        .map(|(key, value)| (CelMapKey::from(key), value))
        .collect();
    Box::new(CelMap::from(map))
}

fn string(value: &str) -> Box<dyn Val + '_> {
    Box::new(CelString::from(value))
}

/// `request` as the API server gives it for a CREATE.
fn request_value<'a>(request: &'a Request<'a>, resource: &'a str) -> Box<dyn Val + 'a> {
    let optional = |value: Option<&'a str>| -> Box<dyn Val + 'a> {
        match value {
            Some(text) => string(text),
            None => Box::new(CelNull),
        }
    };
    map(vec![
        ("operation", string("CREATE")),
        (
            "kind",
            map(vec![
                ("group", string(request.group())),
                ("version", string(request.version())),
                ("kind", string(request.kind)),
            ]),
        ),
        (
            "resource",
            map(vec![
                ("group", string(request.group())),
                ("version", string(request.version())),
                ("resource", string(resource)),
            ]),
        ),
        ("name", optional(request.name)),
        ("namespace", optional(request.namespace)),
        ("dryRun", Box::new(CelBool::from(false))),
    ])
}

/// The names a validation sees, as the API server binds them for a CREATE
/// (no old object; the namespace object is unknown offline).
fn bindings<'x>(
    object: &'x (dyn Val + 'x),
    params: &'x (dyn Val + 'x),
    request: &'x (dyn Val + 'x),
    variables: &'x (dyn Val + 'x),
) -> Bindings<'x> {
    let mut bindings = Bindings::default();
    bindings
        .bind("object", object)
        .bind("oldObject", &CelNull)
        .bind("params", params)
        .bind("request", request)
        .bind("namespaceObject", &CelNull)
        .bind("variables", variables);
    bindings
}

fn evaluate(
    policy: &Policy,
    binding: &Binding,
    param: Option<&Param>,
    (file, values): (&str, &ObjectValues<'_>),
    request: &Request<'_>,
    report: &mut Report<'_>,
) {
    let object = values.object();
    let resource = matching::plural(request.kind);
    let request_value = request_value(request, &resource);
    let params: Box<dyn Val + '_> = match param {
        Some(param) => engine::from_node(&param.node),
        None => Box::new(CelNull),
    };
    // Variables in order: each sees the ones before it.
    let mut variables: Vec<(&str, Box<dyn Val + 'static>)> = Vec::new();
    for (name, expression) in &policy.variables {
        let so_far = map(variables
            .iter()
            .map(|(n, v)| (*n, v.clone_as_boxed()))
            .collect());
        let bindings = bindings(
            values.object_value(),
            params.as_ref(),
            request_value.as_ref(),
            so_far.as_ref(),
        );
        // A variable that fails is left out: a validation that uses it fails.
        if let Ok(value) = bindings.evaluate(expression) {
            variables.push((name.as_str(), value));
        }
    }
    let variables = map(variables);
    let bindings = bindings(
        values.object_value(),
        params.as_ref(),
        request_value.as_ref(),
        variables.as_ref(),
    );
    let kind_line = Target::Field(object.path().key("kind"));
    for validation in &policy.validations {
        let outcome = bindings.holds(&validation.expression).and_then(|passes| {
            if passes {
                return Ok(None);
            }
            let message = match (&validation.message_expression, &validation.message) {
                (Some(expression), _) => bindings.text(expression)?,
                (None, Some(message)) => message.clone(),
                (None, None) => {
                    format!("failed expression: {}", validation.expression.source.trim())
                }
            };
            Ok(Some(message))
        });
        let message = match outcome {
            Ok(None) => continue,
            Ok(Some(message)) => format!("{}: {message}", policy.name),
            Err(_) if policy.ignore_failures => continue,
            Err(error) => format!(
                "{}: the validation could not be evaluated, and failurePolicy Fail rejects the object: {error}",
                policy.name
            ),
        };
        let target = validation
            .field_path
            .as_deref()
            .and_then(|path| crate::custom::config::parse_path(path.trim_start_matches('.')))
            .map_or(kind_line.clone(), |path| {
                Target::Field(object.path().join(&path))
            });
        let raw = report.at(target, message);
        raw.severity = Some(binding.severity);
        let place = format!("{}:{}", policy.file, validation.start.line);
        let mut help = format!("ValidatingAdmissionPolicy `{}` ({place})", policy.name);
        if let Some(reason) = &validation.reason {
            help.push_str(&format!(", reason {reason}"));
        }
        raw.help(help);
        if file == &*policy.file {
            raw.label(Target::Span(validation.span), "the validation");
        } else {
            raw.label_elsewhere(Label {
                span: validation.span,
                start: validation.start,
                message: "the validation".into(),
                file: Some(policy.file.clone()),
            });
        }
    }
}
