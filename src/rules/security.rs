//! What the security rules share: Linux-only settings and the effective
//! `securityContext` of a container.

use k8s_openapi::api::core::v1::SecurityContext;

use crate::model::{ContainerView, PodView};

/// Windows Pods have no Linux users, capabilities or privilege escalation
/// (the API rejects those fields for `os.name: windows`), so the Linux
/// security rules do not apply to them.
pub fn is_windows(pod: &PodView<'_>) -> bool {
    let os = pod.spec.os.as_ref().map(|os| os.name.as_str());
    let selected = pod.spec.node_selector.as_ref().and_then(|s| {
        s.get("kubernetes.io/os")
            .or_else(|| s.get("beta.kubernetes.io/os"))
    });
    os == Some("windows") || selected.is_some_and(|s| s == "windows")
}

pub fn context<'c>(c: &'c ContainerView<'_>) -> Option<&'c SecurityContext> {
    c.container.security_context.as_ref()
}

pub fn privileged(c: &ContainerView<'_>) -> bool {
    context(c).and_then(|s| s.privileged) == Some(true)
}

/// A capability name as the runtimes read it: `CAP_SYS_ADMIN` and `sys_admin`
/// both mean `SYS_ADMIN`.
pub fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

/// The capabilities a container adds, normalised, with their index in `add`.
pub fn added(c: &ContainerView<'_>) -> Vec<(usize, String)> {
    context(c)
        .and_then(|s| s.capabilities.as_ref())
        .and_then(|caps| caps.add.as_ref())
        .into_iter()
        .flatten()
        .map(|name| capability(name))
        .enumerate()
        .collect()
}
