use super::*;

fn holds(source: &str) -> Result<bool, String> {
    let expression = compile(source).map_err(|e| format!("compile: {}", e.message))?;
    Bindings::default().holds(&expression)
}

#[test]
fn kubernetes_libraries_evaluate() {
    for source in [
        "quantity('1Gi') == quantity('1024Mi')",
        "quantity('1Gi') < quantity('2Gi')",
        "quantity('1Gi').isGreaterThan(quantity('1G'))",
        "[1, 2, 3].isSorted() && [1, 2, 3].sum() == 6",
        "'a,b'.split(',') == ['a', 'b']",
        "'abc'.find('b.') == 'bc'",
    ] {
        assert_eq!(holds(source), Ok(true), "{source}");
    }
}

#[test]
fn compile_errors_carry_line_and_column() {
    let error = compile("a &&\n  b ==").map(|_| ()).unwrap_err();
    assert_eq!((error.line, error.column), (2, 6));
    let error = compile("ip('10.0.0.1') != null").map(|_| ()).unwrap_err();
    assert_eq!((error.line, error.column), (1, 0));
    assert!(
        error.message.contains("`ip()` is not supported"),
        "{}",
        error.message
    );
}

/// The rows of the table in docs/custom-checks.md: expression and whether
/// podlint supports it.
fn documented() -> Vec<(String, bool)> {
    let doc = include_str!("../../docs/custom-checks.md");
    let start = doc.find("<!-- cel-table -->").unwrap_or(0);
    let end = doc.find("<!-- /cel-table -->").unwrap_or(doc.len());
    doc[start..end]
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(" | ").collect();
            let expression = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let supported = cells.get(2)?.trim_end_matches(" |").trim() == "yes";
            Some((expression.replace("\\|", "|"), supported))
        })
        .collect()
}

#[test]
fn the_documented_table_is_what_the_engine_does() {
    let rows = documented();
    assert!(rows.len() >= 30, "{} rows", rows.len());
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|(expression, supported)| {
            let outcome = holds(expression);
            let right = if *supported {
                outcome == Ok(true)
            } else {
                outcome.is_err()
            };
            (!right).then(|| format!("{expression}: {outcome:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "not as documented:\n{}", wrong.join("\n"));
}
