//! The Kubernetes CEL libraries that admission policies use and cel-rust
//! lacks: quantities, the list library (`isSorted`, `sum`, `min`, `max`,
//! `indexOf`, `lastIndexOf`), the regex library (`find`, `findAll`) and
//! the sets library (`sets.contains`, `sets.intersects`,
//! `sets.equivalent`). They follow k8s.io/apiserver/pkg/cel/library.

use std::any::Any;
use std::cmp::Ordering;

use cel::common::traits::Comparer;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelString, CelUInt, Type, DOUBLE_TYPE, DYN_TYPE, INT_TYPE,
    LIST_TYPE, STRING_TYPE,
};
use cel::common::value::{CowVal, StaticVal, Val};
use cel::{DeclarationError, Env, ExecutionError};

/// The type of quantities: a `const` to build each declaration from, and
/// the `static` that values hand out.
const QUANTITY: Type = Type::new_unspecified_type("kubernetes.Quantity");
static QUANTITY_TYPE: Type = QUANTITY;

/// Nano-units per unit: quantities are held as an exact count of 10⁻⁹.
const NANOS: i128 = 1_000_000_000;

/// A resource quantity (`500m`, `1Gi`, `1e3`), exact to the nano-unit as
/// Kubernetes keeps them (a finer value is rounded up, as the API server does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity {
    nanos: i128,
}

impl Quantity {
    pub fn parse(text: &str) -> Option<Quantity> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        // The magnitude is read as the linter reads quantities everywhere
        // (`model::quantity`); only the sign and the nano-unit scale are CEL's.
        if rest.starts_with(['+', '-']) || rest.trim() != rest {
            return None;
        }
        let magnitude = crate::model::quantity::Quantity::parse(rest)?;
        let scaled = i128::try_from(magnitude.mantissa()).ok()?;
        let exponent = magnitude.exponent();
        let power = exponent.checked_add(9)?;
        let nanos = if power >= 0 {
            scaled.checked_mul(10i128.checked_pow(u32::try_from(power).ok()?)?)?
        } else {
            let divisor = 10i128
                .checked_pow(u32::try_from(-power).ok()?)
                .unwrap_or(i128::MAX);
            // Below a nano-unit rounds up, away from zero.
            scaled / divisor + i128::from(scaled % divisor != 0)
        };
        Some(Quantity {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    fn from_integer(value: i64) -> Quantity {
        Quantity {
            nanos: i128::from(value) * NANOS,
        }
    }
}

impl Val for Quantity {
    fn get_type(&self) -> &Type {
        &QUANTITY_TYPE
    }

    fn cel_type() -> &'static Type {
        &QUANTITY_TYPE
    }

    fn as_comparer(&self) -> Option<&dyn Comparer> {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        other
            .downcast_ref::<Quantity>()
            .is_some_and(|other| other == self)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v> {
        Box::new(*self)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

impl StaticVal for Quantity {}

impl Comparer for Quantity {
    fn compare(&self, rhs: &dyn Val) -> Result<Ordering, ExecutionError> {
        quantity_arg("compareTo", rhs).map(|rhs| self.cmp(&rhs))
    }
}

type Overload = for<'b, 'v> fn(Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError>;

/// Registers the libraries on `env`.
pub fn extension(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(QUANTITY)?;
    for (id, arg) in [
        ("quantity_string", STRING_TYPE),
        ("quantity_int", INT_TYPE),
        ("quantity_double", DOUBLE_TYPE),
    ] {
        env.add_overload("quantity", id, vec![arg], quantity)?;
    }
    env.add_overload(
        "isQuantity",
        "is_quantity_string",
        vec![STRING_TYPE],
        is_quantity,
    )?;
    let members: [(&str, Vec<Type>, Overload); 11] = [
        ("isGreaterThan", vec![QUANTITY], is_greater_than),
        ("isLessThan", vec![QUANTITY], is_less_than),
        ("compareTo", vec![QUANTITY], compare_to),
        ("add", vec![QUANTITY], add),
        ("add", vec![INT_TYPE], add),
        ("sub", vec![QUANTITY], sub),
        ("sub", vec![INT_TYPE], sub),
        ("isInteger", vec![], is_integer),
        ("asInteger", vec![], as_integer),
        ("asApproximateFloat", vec![], as_approximate_float),
        ("sign", vec![], sign),
    ];
    for (name, args, function) in members {
        let id = format!("quantity_{name}_{}", args.first().map_or("", |t| t.name()));
        env.add_member_overload(name, &id, QUANTITY, args, function)?;
    }
    let lists: [(&str, Vec<Type>, Overload); 6] = [
        ("isSorted", vec![], is_sorted),
        ("sum", vec![], sum),
        ("min", vec![], min),
        ("max", vec![], max),
        ("indexOf", vec![DYN_TYPE], index_of),
        ("lastIndexOf", vec![DYN_TYPE], last_index_of),
    ];
    for (name, args, function) in lists {
        env.add_member_overload(name, &format!("list_{name}"), LIST_TYPE, args, function)?;
    }
    env.add_member_overload("find", "string_find", STRING_TYPE, vec![STRING_TYPE], find)?;
    env.add_member_overload(
        "findAll",
        "string_find_all",
        STRING_TYPE,
        vec![STRING_TYPE],
        find_all,
    )?;
    env.add_member_overload(
        "findAll",
        "string_find_all_n",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        find_all,
    )?;
    for (name, function) in [
        ("sets.contains", sets_contains as Overload),
        ("sets.intersects", sets_intersects),
        ("sets.equivalent", sets_equivalent),
    ] {
        env.add_overload(name, name, vec![LIST_TYPE, LIST_TYPE], function)?;
    }
    Ok(())
}

fn owned<'b, 'v>(value: impl Val + 'v) -> CowVal<'b, 'v> {
    CowVal::owned(value)
}

fn error(function: &str, message: impl ToString) -> ExecutionError {
    ExecutionError::function_error(function, message)
}

fn quantity_arg(function: &str, value: &dyn Val) -> Result<Quantity, ExecutionError> {
    if let Some(quantity) = value.downcast_ref::<Quantity>() {
        return Ok(*quantity);
    }
    match value.downcast_ref::<CelInt>() {
        Some(int) => Ok(Quantity::from_integer(*int.inner())),
        None => Err(error(
            function,
            format!("expected a quantity, got {}", value.get_type().name()),
        )),
    }
}

fn string_arg<'a>(function: &str, value: &'a dyn Val) -> Result<&'a str, ExecutionError> {
    value
        .downcast_ref::<CelString>()
        .map(|s| s.inner())
        .ok_or_else(|| {
            error(
                function,
                format!("expected a string, got {}", value.get_type().name()),
            )
        })
}

fn quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = args
        .first()
        .ok_or_else(ExecutionError::missing_argument_or_target)?;
    let text = if let Some(s) = value.downcast_ref::<CelString>() {
        s.inner().to_string()
    } else if let Some(i) = value.downcast_ref::<CelInt>() {
        i.inner().to_string()
    } else if let Some(d) = value.downcast_ref::<CelDouble>() {
        d.inner().to_string()
    } else {
        return Err(error("quantity", "expected a string"));
    };
    Quantity::parse(&text)
        .map(owned)
        .ok_or_else(|| error("quantity", format!("`{text}` is not a valid quantity")))
}

fn is_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = args
        .first()
        .ok_or_else(ExecutionError::missing_argument_or_target)?;
    let text = string_arg("isQuantity", value.as_ref())?;
    Ok(owned(CelBool::from(Quantity::parse(text).is_some())))
}

/// The receiver and the argument of a binary quantity method.
fn operands(
    function: &str,
    args: &[CowVal<'_, '_>],
) -> Result<(Quantity, Quantity), ExecutionError> {
    match args {
        [this, other] => Ok((
            quantity_arg(function, this.as_ref())?,
            quantity_arg(function, other.as_ref())?,
        )),
        _ => Err(ExecutionError::invalid_argument_count(2, args.len())),
    }
}

fn receiver(function: &str, args: &[CowVal<'_, '_>]) -> Result<Quantity, ExecutionError> {
    let this = args
        .first()
        .ok_or_else(ExecutionError::missing_argument_or_target)?;
    quantity_arg(function, this.as_ref())
}

fn is_greater_than<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (this, other) = operands("isGreaterThan", &args)?;
    Ok(owned(CelBool::from(this > other)))
}

fn is_less_than<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (this, other) = operands("isLessThan", &args)?;
    Ok(owned(CelBool::from(this < other)))
}

fn compare_to<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (this, other) = operands("compareTo", &args)?;
    Ok(owned(CelInt::from(this.cmp(&other) as i64)))
}

fn add<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (this, other) = operands("add", &args)?;
    this.nanos
        .checked_add(other.nanos)
        .map(|nanos| owned(Quantity { nanos }))
        .ok_or_else(|| error("add", "overflow"))
}

fn sub<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (this, other) = operands("sub", &args)?;
    this.nanos
        .checked_sub(other.nanos)
        .map(|nanos| owned(Quantity { nanos }))
        .ok_or_else(|| error("sub", "overflow"))
}

/// The quantity as an i64, when it is a whole number that fits.
fn integer(quantity: Quantity) -> Option<i64> {
    (quantity.nanos % NANOS == 0)
        .then(|| i64::try_from(quantity.nanos / NANOS).ok())
        .flatten()
}

fn is_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = receiver("isInteger", &args)?;
    Ok(owned(CelBool::from(integer(this).is_some())))
}

fn as_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = receiver("asInteger", &args)?;
    integer(this)
        .map(|i| owned(CelInt::from(i)))
        .ok_or_else(|| {
            error(
                "asInteger",
                "the quantity is not a whole number that fits an int",
            )
        })
}

fn as_approximate_float<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = receiver("asApproximateFloat", &args)?;
    Ok(owned(CelDouble::from(this.nanos as f64 / NANOS as f64)))
}

fn sign<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let this = receiver("sign", &args)?;
    Ok(owned(CelInt::from(this.nanos.signum() as i64)))
}

/// Borrowed elements of a list.
type Elements<'b, 'v> = Vec<&'b (dyn Val + 'v)>;

/// The elements of a list receiver.
fn elements<'b, 'v>(
    function: &str,
    list: &'b (dyn Val + 'v),
) -> Result<Elements<'b, 'v>, ExecutionError> {
    let iterable = list
        .as_iterable()
        .ok_or_else(|| error(function, "expected a list"))?;
    let mut items = iterable.iter();
    let mut out = Vec::new();
    while let Some(item) = items.next() {
        out.push(item);
    }
    Ok(out)
}

fn compare(function: &str, a: &dyn Val, b: &dyn Val) -> Result<Ordering, ExecutionError> {
    if a.get_type() != b.get_type() {
        return Err(error(
            function,
            format!(
                "list elements must have one type, not {} and {}",
                a.get_type().name(),
                b.get_type().name()
            ),
        ));
    }
    a.as_comparer()
        .ok_or_else(|| {
            error(
                function,
                format!("{} values cannot be ordered", a.get_type().name()),
            )
        })?
        .compare(b)
}

fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = args
        .first()
        .ok_or_else(ExecutionError::missing_argument_or_target)?;
    let items = elements("isSorted", list.as_ref())?;
    for pair in items.windows(2) {
        if compare("isSorted", pair[0], pair[1])? == Ordering::Greater {
            return Ok(owned(CelBool::from(false)));
        }
    }
    Ok(owned(CelBool::from(true)))
}

fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = args
        .first()
        .ok_or_else(ExecutionError::missing_argument_or_target)?;
    let items = elements("sum", list.as_ref())?;
    let overflow = || error("sum", "overflow");
    match items.first() {
        None => Ok(owned(CelInt::from(0))),
        Some(first) if first.downcast_ref::<CelInt>().is_some() => {
            let mut total: i64 = 0;
            for item in &items {
                let value = item
                    .downcast_ref::<CelInt>()
                    .ok_or_else(|| error("sum", "list elements must all be ints"))?;
                total = total.checked_add(*value.inner()).ok_or_else(overflow)?;
            }
            Ok(owned(CelInt::from(total)))
        }
        Some(first) if first.downcast_ref::<CelUInt>().is_some() => {
            let mut total: u64 = 0;
            for item in &items {
                let value = item
                    .downcast_ref::<CelUInt>()
                    .ok_or_else(|| error("sum", "list elements must all be uints"))?;
                total = total.checked_add(*value.inner()).ok_or_else(overflow)?;
            }
            Ok(owned(CelUInt::from(total)))
        }
        Some(_) => {
            let mut total = 0.0;
            for item in &items {
                let value = item
                    .downcast_ref::<CelDouble>()
                    .ok_or_else(|| error("sum", "list elements must all be numbers of one type"))?;
                total += value.inner();
            }
            Ok(owned(CelDouble::from(total)))
        }
    }
}

fn extreme<'b, 'v>(
    function: &str,
    args: Vec<CowVal<'b, 'v>>,
    wanted: Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let list = args
        .first()
        .ok_or_else(ExecutionError::missing_argument_or_target)?;
    let items = elements(function, list.as_ref())?;
    let mut best = *items
        .first()
        .ok_or_else(|| error(function, "the list is empty"))?;
    for &item in &items[1..] {
        if compare(function, item, best)? == wanted {
            best = item;
        }
    }
    Ok(CowVal::from(best.clone_as_boxed()))
}

fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme("min", args, Ordering::Less)
}

fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme("max", args, Ordering::Greater)
}

fn position<'b, 'v>(
    function: &str,
    args: Vec<CowVal<'b, 'v>>,
    last: bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, needle] = args.as_slice() else {
        return Err(ExecutionError::invalid_argument_count(2, args.len()));
    };
    let items = elements(function, list.as_ref())?;
    let matches = |item: &&dyn Val| item.equals(needle.as_ref());
    let found = if last {
        items.iter().rposition(matches)
    } else {
        items.iter().position(matches)
    };
    Ok(owned(CelInt::from(found.map_or(-1, |i| i as i64))))
}

fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    position("indexOf", args, false)
}

fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    position("lastIndexOf", args, true)
}

fn regex(function: &str, pattern: &str) -> Result<regex::Regex, ExecutionError> {
    regex::Regex::new(pattern).map_err(|e| error(function, e))
}

fn find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [text, pattern] = args.as_slice() else {
        return Err(ExecutionError::invalid_argument_count(2, args.len()));
    };
    let text = string_arg("find", text.as_ref())?;
    let found = regex("find", string_arg("find", pattern.as_ref())?)?
        .find(text)
        .map_or("", |m| m.as_str())
        .to_string();
    Ok(owned(CelString::from(found)))
}

fn find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (text, pattern, limit) = match args.as_slice() {
        [text, pattern] => (text, pattern, None),
        [text, pattern, limit] => (
            text,
            pattern,
            limit.downcast_ref::<CelInt>().map(|n| *n.inner()),
        ),
        _ => return Err(ExecutionError::invalid_argument_count(2, args.len())),
    };
    let text = string_arg("findAll", text.as_ref())?;
    let pattern = regex("findAll", string_arg("findAll", pattern.as_ref())?)?;
    // A negative limit means all, as in Kubernetes.
    let limit = limit
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX);
    let found: Vec<Box<dyn Val + 'v>> = pattern
        .find_iter(text)
        .take(limit)
        .map(|m| Box::new(CelString::from(m.as_str().to_string())) as Box<dyn Val + 'v>)
        .collect();
    Ok(owned(CelList::from(found)))
}

fn two_lists<'a, 'b, 'v>(
    function: &str,
    args: &'a [CowVal<'b, 'v>],
) -> Result<[Elements<'a, 'v>; 2], ExecutionError> {
    match args {
        [a, b] => Ok([
            elements(function, a.as_ref())?,
            elements(function, b.as_ref())?,
        ]),
        _ => Err(ExecutionError::invalid_argument_count(2, args.len())),
    }
}

fn contains_all(haystack: &[&dyn Val], needles: &[&dyn Val]) -> bool {
    needles
        .iter()
        .all(|needle| haystack.iter().any(|item| item.equals(*needle)))
}

fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = two_lists("sets.contains", &args)?;
    let result = contains_all(&a, &b);
    Ok(owned(CelBool::from(result)))
}

fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = two_lists("sets.intersects", &args)?;
    let result = b.iter().any(|x| a.iter().any(|y| y.equals(*x)));
    Ok(owned(CelBool::from(result)))
}

fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = two_lists("sets.equivalent", &args)?;
    let result = contains_all(&a, &b) && contains_all(&b, &a);
    Ok(owned(CelBool::from(result)))
}
