use crate::rules::Check;

// The engine reports it while reading suppressions (src/suppress.rs).
rule!("unknown-suppression", Check::Syntax);
