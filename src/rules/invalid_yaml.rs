use crate::rules::{Check};

rule!("invalid-yaml", Check::Syntax);
