use crate::rules::Check;

// The engine evaluates the run's ValidatingAdmissionPolicies (src/admission/).
rule!("admission-policy", Check::Policies);
