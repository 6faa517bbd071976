use crate::finding::Fix;
use crate::model::schema::Shapes;
use crate::model::Expected;
use crate::model::{Object, Target};
use crate::rules::{Check, Report};

rule!("unknown-field", Check::Object(check));

fn check(object: &Object<'_>, out: &mut Report<'_>) {
    // Fields of a removed apiVersion are deprecated-api-version's to report.
    if object.older_api_version() {
        return;
    }
    let fields = object.typing.unknown_fields.iter().filter(|f| {
        // `$patch`, `$setElementOrder/...`: strategic-merge-patch directives.
        let directive = f.key.starts_with('$');
        // `(spec.replicas == status.readyReplicas)`: a JMESPath expression of a
        // Chainsaw assertion or a Kyverno anchor.
        let expression = f.key.starts_with('(') && f.key.ends_with(')');
        // `key: null` in a patch deletes the key from the object it patches.
        let deletion = f.value_is_null && object.partial;
        !directive && !expression && !deletion
    });
    for field in fields {
        let report = out.at(
            Target::Span(field.span),
            format!("`{}` is not a field of {}", field.key, field.parent),
        );
        if let Some((near, unique)) = closest(&field.key, &field.expected) {
            report.help(format!("did you mean `{near}`?"));
            // A rename is only mechanical when no other key is as close.
            if unique {
                report.fix(Fix::Replace(near.to_string()));
            }
        } else if let Some(path) = Shapes::get().path_below(&field.parent, &field.key) {
            // Valid deeper down: the indentation was lost in a copy and paste.
            report.help(format!(
                "the indentation looks flattened: `{}` belongs under `{path}`",
                field.key
            ));
        }
    }
}

/// The valid key closest to `key`: the same but for case, or within a small
/// edit distance (transpositions count once); and whether it is the only one
/// that close.
fn closest<'a>(key: &str, expected: &'a Expected) -> Option<(&'a str, bool)> {
    let lower = key.to_ascii_lowercase();
    let budget = (key.chars().count() / 4).clamp(1, 3);
    let near: Vec<(usize, &'a str)> = expected
        .iter()
        .map(|candidate| (strsim::osa_distance(&lower, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(distance, _)| *distance <= budget)
        .collect();
    let best = near.iter().map(|(distance, _)| *distance).min()?;
    let mut at_best = near.iter().filter(|(distance, _)| *distance == best);
    let (_, candidate) = at_best.next()?;
    Some((candidate, at_best.next().is_none()))
}
