use super::*;

fn eval(source: &str) -> Result<String, String> {
    let expression = compile(source).map_err(|e| format!("compile: {}", e.message))?;
    let scope = Scope::new();
    scope.evaluate(&expression).map(|v| format!("{v:?}"))
}

#[test]
fn smoke() {
    for e in [
        "quantity('1Gi') == quantity('1024Mi')",
        "quantity('1Gi') < quantity('2Gi')",
        "quantity('1Gi').isGreaterThan(quantity('1G'))",
        "[1,2,3].isSorted()",
        "[1,2,3].sum()",
        "'a,b'.split(',')",
        "'abc'.find('b.')",
    ] {
        println!("{e} => {:?}", eval(e));
    }
}
