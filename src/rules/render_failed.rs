use crate::rules::Check;

// Reported by the render stage (`render::lint_unit`) when helm (or
// kustomize) cannot render a chart (or an overlay).
rule!("render-failed", Check::Syntax);
