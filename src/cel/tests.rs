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
