use crate::rules::Check;

// Custom checks report it when their expression cannot be evaluated
// (src/custom/mod.rs).
rule!("custom-check-error", Check::Syntax);
