//! The CEL engine that custom checks and ValidatingAdmissionPolicies share:
//! cel-rust's standard library, its strings, lists and math extensions, and
//! the Kubernetes libraries that real policies use ([`kubernetes`]).
//! Expressions are compiled once per run; each object is turned into a CEL
//! value once ([`value`]) and then evaluated by every expression that
//! matches it.

mod kubernetes;
mod value;

use std::sync::{Arc, OnceLock};

use cel::common::value::Val;
use cel::{Context, Env, Program};

pub use value::from_node;

/// Functions of the Kubernetes CEL libraries that podlint does not provide:
/// an expression that calls one is refused when it is compiled rather than
/// failing on every object.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("url", "the URL library"),
    ("isURL", "the URL library"),
    ("ip", "the IP library"),
    ("isIP", "the IP library"),
    ("cidr", "the CIDR library"),
    ("isCIDR", "the CIDR library"),
    ("duration", "durations"),
    ("timestamp", "timestamps"),
    ("semver", "the semver library"),
    ("isSemver", "the semver library"),
    ("format.named", "named formats"),
    ("cel.bind", "cel.bind (use a policy's variables instead)"),
    ("path", "authorizer checks"),
    ("group", "authorizer checks"),
    ("serviceAccount", "authorizer checks"),
];

/// The shared environment: built once per process, read by every worker.
fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Registering on a fresh environment only fails on a duplicate
        // overload, which the tests of this module would show.
        let extensions: [fn(&mut Env) -> Result<(), cel::DeclarationError>; 4] = [
            cel::extensions::strings,
            cel::extensions::lists,
            cel::extensions::math,
            kubernetes::extension,
        ];
        for extension in extensions {
            if let Err(error) = env.add_extension(extension) {
                panic!("podlint's CEL library is inconsistent: {error}");
            }
        }
        Arc::new(env)
    })
}

/// A compiled expression and the text it came from.
#[derive(Debug)]
pub struct Expression {
    program: Program,
    pub source: String,
}

/// Why an expression did not compile, and where in its text (1-based line,
/// 0-based column in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

pub fn compile(source: &str) -> Result<Expression, CompileError> {
    let program = env().compile(source).map_err(|errors| {
        let first = errors.errors.first();
        CompileError {
            message: first.map_or_else(|| errors.to_string(), |e| e.msg.clone()),
            line: first.map_or(1, |e| usize::try_from(e.pos.0).unwrap_or(1).max(1)),
            column: first.map_or(0, |e| usize::try_from(e.pos.1).unwrap_or(0)),
        }
    })?;
    let references = program.references();
    if let Some((name, what)) = UNSUPPORTED
        .iter()
        .find(|(name, _)| references.has_function(name))
    {
        let at = source.find(&format!("{name}(")).unwrap_or(0);
        let (line, column) = line_column(source, at);
        return Err(CompileError {
            message: format!("`{name}()` is not supported: podlint does not provide {what}"),
            line,
            column,
        });
    }
    Ok(Expression {
        program,
        source: source.to_string(),
    })
}

fn line_column(source: &str, at: usize) -> (usize, usize) {
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, last)| last)
        .chars()
        .count();
    (line, column)
}

/// The variables of one evaluation: `object`, `pod`, `container`,
/// `params`, `variables`... A child scope adds to its parent's.
pub struct Scope<'p, 'v> {
    context: Context<'p, 'v>,
}

impl<'v> Scope<'static, 'v> {
    pub fn new() -> Self {
        Scope {
            context: Context::with_env(Arc::clone(env())),
        }
    }
}

impl<'p, 'v> Scope<'p, 'v> {
    pub fn bind(&mut self, name: &str, value: Box<dyn Val + 'v>) {
        self.context.add_variable_as_val(name, value);
    }

    /// A scope that sees this one's variables and may add its own.
    pub fn child(&self) -> Scope<'_, 'v> {
        Scope {
            context: self.context.new_inner_scope(),
        }
    }

    /// What `expression` evaluates to, as an owned value.
    pub fn evaluate(&self, expression: &Expression) -> Result<Box<dyn Val + 'v>, String> {
        cel::Value::resolve_val(expression.program.expression(), &self.context)
            .map(|value| value.as_ref().clone_as_boxed())
            .map_err(|error| error.to_string())
    }

    /// Whether `expression` holds; an error when it is not a boolean.
    pub fn holds(&self, expression: &Expression) -> Result<bool, String> {
        let value = cel::Value::resolve_val(expression.program.expression(), &self.context)
            .map_err(|error| error.to_string())?;
        match value.downcast_ref::<cel::common::types::CelBool>() {
            Some(b) => Ok(*b.inner()),
            None => Err(format!(
                "the expression must evaluate to a bool, not {}",
                value.get_type().name()
            )),
        }
    }

    /// `expression` as text (a `messageExpression`): an error unless it is a string.
    pub fn text(&self, expression: &Expression) -> Result<String, String> {
        let value = cel::Value::resolve_val(expression.program.expression(), &self.context)
            .map_err(|error| error.to_string())?;
        match value.downcast_ref::<cel::common::types::CelString>() {
            Some(s) => Ok(s.inner().to_string()),
            None => Err(format!(
                "a message expression must evaluate to a string, not {}",
                value.get_type().name()
            )),
        }
    }
}

impl Default for Scope<'static, '_> {
    fn default() -> Self {
        Scope::new()
    }
}

#[cfg(test)]
mod tests;
