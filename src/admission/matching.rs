//! Which objects a policy and its binding apply to, judged offline: resource
//! rules (kind to resource by the API's plural), operation CREATE, label
//! selectors on the object and on its namespace.

use crate::source::Node;

/// `matchConstraints` or a binding's `matchResources`.
#[derive(Debug, Default)]
pub struct MatchResources {
    rules: Vec<ResourceRule>,
    exclude: Vec<ResourceRule>,
    namespace_selector: Option<Selector>,
    object_selector: Option<Selector>,
}

#[derive(Debug)]
struct ResourceRule {
    groups: Vec<String>,
    versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
    names: Vec<String>,
}

/// A label selector: `matchLabels` and `matchExpressions`.
#[derive(Debug, Default)]
pub struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<(String, String, Vec<String>)>,
}

/// What a rule is matched against.
pub struct Request<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub labels: Vec<(&'a str, &'a str)>,
}

impl Request<'_> {
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    pub fn version(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or(self.api_version, |(_, version)| version)
    }
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.as_str().map(str::to_string))
        .collect()
}

impl MatchResources {
    pub fn read(node: &Node) -> MatchResources {
        let rules = |key: &str| -> Vec<ResourceRule> {
            node.get(key)
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .map(|rule| ResourceRule {
                    groups: strings(rule.get("apiGroups")),
                    versions: strings(rule.get("apiVersions")),
                    resources: strings(rule.get("resources")),
                    operations: strings(rule.get("operations")),
                    names: strings(rule.get("resourceNames")),
                })
                .collect()
        };
        MatchResources {
            rules: rules("resourceRules"),
            exclude: rules("excludeResourceRules"),
            namespace_selector: node.get("namespaceSelector").map(Selector::read),
            object_selector: node.get("objectSelector").map(Selector::read),
        }
    }

    /// Whether a CREATE of `request` is matched. Without resource rules
    /// (a binding's matchResources may leave them to the policy) any
    /// resource matches.
    pub fn matches(&self, request: &Request<'_>, require_rules: bool) -> bool {
        let included = if self.rules.is_empty() {
            !require_rules
        } else {
            self.rules.iter().any(|rule| rule.matches(request))
        };
        included
            && !self.exclude.iter().any(|rule| rule.matches(request))
            && self
                .object_selector
                .as_ref()
                .is_none_or(|selector| selector.matches(&request.labels))
            && self
                .namespace_selector
                .as_ref()
                .is_none_or(|selector| selector.matches_namespace_of(request))
    }
}

/// Built-in kinds without a namespace: a namespace selector never skips them.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

fn any_or(list: &[String], value: &str) -> bool {
    list.iter().any(|item| item == "*" || item == value)
}

impl ResourceRule {
    fn matches(&self, request: &Request<'_>) -> bool {
        let resource = plural(request.kind);
        any_or(&self.groups, request.group())
            && any_or(&self.versions, request.version())
            && self
                .resources
                .iter()
                .any(|r| r == "*" || r == "*/*" || *r == resource)
            && any_or(&self.operations, "CREATE")
            && (self.names.is_empty()
                || request
                    .name
                    .is_some_and(|name| self.names.iter().any(|n| n == name)))
    }
}

impl Selector {
    pub fn read(node: &Node) -> Selector {
        let labels = node
            .get("matchLabels")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|entry| {
                Some((
                    entry.key.as_str()?.to_string(),
                    entry.value.as_str()?.to_string(),
                ))
            })
            .collect();
        let expressions = node
            .get("matchExpressions")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                Some((
                    e.get("key")?.as_str()?.to_string(),
                    e.get("operator")?.as_str()?.to_string(),
                    strings(e.get("values")),
                ))
            })
            .collect();
        Selector {
            labels,
            expressions,
        }
    }

    /// Whether the namespace the object is created in is selected, as far as
    /// it is known offline: a Namespace is judged by its own labels, another
    /// namespace by the one label Kubernetes gives every namespace. An object
    /// without a namespace lands wherever it is applied (`kubectl -n`): only
    /// a selector that selects every namespace is certain to match it.
    fn matches_namespace_of(&self, request: &Request<'_>) -> bool {
        if request.kind == "Namespace" {
            let mut labels = request.labels.clone();
            labels.extend(
                request
                    .name
                    .map(|name| ("kubernetes.io/metadata.name", name)),
            );
            return self.matches(&labels);
        }
        if CLUSTER_SCOPED.contains(&request.kind) {
            return true;
        }
        match request.namespace {
            Some(namespace) => self.matches(&[("kubernetes.io/metadata.name", namespace)]),
            None => self.labels.is_empty() && self.expressions.is_empty(),
        }
    }

    pub fn matches(&self, labels: &[(&str, &str)]) -> bool {
        let value = |key: &str| labels.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        self.labels
            .iter()
            .all(|(key, wanted)| value(key) == Some(wanted.as_str()))
            && self.expressions.iter().all(|(key, operator, values)| {
                let has = |v: &str| values.iter().any(|w| w == v);
                match operator.as_str() {
                    "In" => value(key).is_some_and(has),
                    "NotIn" => value(key).is_none_or(|v| !has(v)),
                    "Exists" => value(key).is_some(),
                    "DoesNotExist" => value(key).is_none(),
                    _ => false,
                }
            })
    }
}

/// The resource of a kind, as the API names it: lower case, plural.
pub fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    match lower.as_str() {
        "endpoints" => lower,
        // A consonant before the `y`: policy, policies; gateway, gateways.
        _ if lower.ends_with('y')
            && !lower[..lower.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']) =>
        {
            format!("{}ies", &lower[..lower.len() - 1])
        }
        _ if lower.ends_with('s')
            || lower.ends_with("ch")
            || lower.ends_with("sh")
            || lower.ends_with('x') =>
        {
            format!("{lower}es")
        }
        _ => format!("{lower}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn kinds_map_to_their_resources() {
        for (kind, resource) in [
            ("Deployment", "deployments"),
            ("Pod", "pods"),
            ("Ingress", "ingresses"),
            ("NetworkPolicy", "networkpolicies"),
            ("StorageClass", "storageclasses"),
            ("Endpoints", "endpoints"),
            ("ConfigMap", "configmaps"),
            ("CronJob", "cronjobs"),
            ("PodDisruptionBudget", "poddisruptionbudgets"),
            ("Gateway", "gateways"),
        ] {
            assert_eq!(plural(kind), resource, "{kind}");
        }
    }
}
