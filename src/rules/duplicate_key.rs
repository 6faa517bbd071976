use crate::rules::{Check};

rule!("duplicate-key", Check::Syntax);
