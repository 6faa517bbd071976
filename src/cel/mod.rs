//! The CEL engine that custom checks and ValidatingAdmissionPolicies share:
//! cel-rust's standard library, its strings, lists and math extensions, and
//! the Kubernetes libraries that real policies use ([`kubernetes`]).
//! Expressions are compiled once per run; each object is turned into a CEL
//! value once ([`value`]) and then evaluated by every expression that
//! matches it.

mod kubernetes;
mod value;

use std::sync::{Arc, OnceLock};

use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
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

type Extension = fn(&mut Env) -> Result<(), cel::DeclarationError>;

/// The shared environment: built once per process, read by every worker.
fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Registering on a fresh environment only fails on a duplicate
        // overload, which the tests of this module would show.
        let extensions: [Extension; 4] = [
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
            // The parser counts columns from 1.
            column: first.map_or(0, |e| usize::try_from(e.pos.1 - 1).unwrap_or(0)),
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

/// The variables of one evaluation (`object`, `pod`, `container`,
/// `params`, `variables`...), borrowed: an object's value is built once
/// and shared by every expression evaluated on it.
#[derive(Default)]
pub struct Bindings<'x> {
    values: Vec<(&'x str, &'x (dyn Val + 'x))>,
}

impl VariableResolver for Bindings<'_> {
    fn resolve<'b>(&'b self, name: &str) -> Option<CowVal<'b, 'b>> {
        self.values
            .iter()
            .find(|(bound, _)| *bound == name)
            .map(|(_, value)| CowVal::Borrowed(*value as &(dyn Val + 'b)))
    }
}

impl<'x> Bindings<'x> {
    pub fn bind(&mut self, name: &'x str, value: &'x (dyn Val + 'x)) -> &mut Self {
        self.values.push((name, value));
        self
    }

    fn run<T>(
        &self,
        expression: &Expression,
        read: impl FnOnce(&dyn Val) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut context = Context::with_env(Arc::clone(env()));
        context.set_variable_resolver(self);
        let value = cel::Value::resolve_val(expression.program.expression(), &context)
            .map_err(|error| error.to_string())?;
        read(value.as_ref())
    }

    /// What `expression` evaluates to, as an owned value.
    pub fn evaluate(&self, expression: &Expression) -> Result<Box<dyn Val + 'static>, String> {
        self.run(expression, |value| {
            // The result may borrow the bindings: it is copied out, through
            // `Value` for CEL's own types.
            if let Some(quantity) = value.downcast_ref::<kubernetes::Quantity>() {
                return Ok(Box::new(*quantity) as Box<dyn Val>);
            }
            cel::Value::try_from(value)
                .and_then(Box::<dyn Val>::try_from)
                .map_err(|error| error.to_string())
        })
    }

    /// Whether `expression` holds; an error when it is not a boolean.
    pub fn holds(&self, expression: &Expression) -> Result<bool, String> {
        self.run(expression, |value| {
            match value.downcast_ref::<cel::common::types::CelBool>() {
                Some(b) => Ok(*b.inner()),
                None => Err(format!(
                    "the expression must evaluate to a bool, not {}",
                    value.get_type().name()
                )),
            }
        })
    }

    /// `expression` as text (a `messageExpression`): an error unless it is a string.
    pub fn text(&self, expression: &Expression) -> Result<String, String> {
        self.run(expression, |value| {
            match value.downcast_ref::<cel::common::types::CelString>() {
                Some(s) => Ok(s.inner().to_string()),
                None => Err(format!(
                    "a message expression must evaluate to a string, not {}",
                    value.get_type().name()
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests;
