//! A short, bounded fuzz run in the normal suite: the fixtures, mutated the
//! way hand edits and broken generators mutate manifests, go through the
//! whole pipeline and every output format. No panic, and the output stays
//! sane. The long runs are `cargo fuzz` (fuzz/README.md); this one makes a
//! regression show in CI. The seed is fixed, so a failure reproduces.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use podlint::report::Format;

const FORMATS: [Format; 5] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Compact,
];

/// Inputs tried: a few seconds in a debug build.
const ROUNDS: usize = 600;

/// Pieces of YAML that break or bend a manifest when spliced in.
const TOKENS: &[&[u8]] = &[
    b"---\n",
    b"...\n",
    b": ",
    b"- ",
    b"? ",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!str ",
    b"!!binary ",
    b"|-\n",
    b">\n",
    b"\"",
    b"'",
    b"#",
    b"\t",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\x00",
    b"\xff",
    b"{{ .Values.x }}",
    b"\n  ",
    b"null",
    b"~",
    b"99999999999999999999",
    b"-1",
    b"1e400",
    b"containers:\n- name: x\n",
    b"kind: List\n",
    b"apiVersion: v1\nkind: Pod\n",
    b"# podlint-ignore: ",
    b"\xe2\x80\xae",
];

/// xorshift64*: deterministic and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        let insert: Vec<u8> = match rng.below(6) {
            0 => TOKENS[rng.below(TOKENS.len())].to_vec(),
            1 => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
                continue;
            }
            2 => {
                if let Some(byte) = bytes.get_mut(at) {
                    *byte ^= 1 << rng.below(8);
                }
                continue;
            }
            3 => {
                // A piece of another fixture.
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(200)).min(other.len());
                other[from..to].to_vec()
            }
            4 => {
                // A piece repeated: long lines, deep nesting, many documents.
                let end = (at + rng.below(20)).min(bytes.len());
                bytes[at..end].repeat(rng.below(300))
            }
            _ => {
                bytes.truncate(at);
                continue;
            }
        };
        bytes.splice(at..at, insert);
    }
    bytes
}

fn fixtures() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut folders = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read fixtures") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("read fixture"))
        .collect()
}

/// What every output must satisfy, whatever the input.
fn check_outputs(outputs: &[String]) -> Result<(), String> {
    let [human, json, sarif, github, compact] = outputs else {
        return Err(format!("{} outputs", outputs.len()));
    };
    let json: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("JSON output: {e}"))?;
    let findings = json["findings"].as_array().ok_or("no findings array")?;
    for finding in findings {
        let at = |key: &str| finding[key].as_u64().unwrap_or(0);
        if at("line") == 0 || at("column") == 0 || at("end_line") < at("line") {
            return Err(format!("bad position in {finding}"));
        }
    }
    if json["summary"]["findings"].as_u64() != Some(findings.len() as u64) {
        return Err("summary count differs from the findings".into());
    }
    let sarif: serde_json::Value =
        serde_json::from_str(sarif).map_err(|e| format!("SARIF output: {e}"))?;
    if sarif["runs"][0]["results"].as_array().map(Vec::len) != Some(findings.len()) {
        return Err("SARIF result count differs from JSON".into());
    }
    if compact.lines().count() != findings.len()
        || !compact.lines().all(|l| l.starts_with("mutated.yaml:"))
    {
        return Err(format!("compact output:\n{compact}"));
    }
    if github.lines().filter(|l| l.starts_with("::")).count() < findings.len() {
        return Err(format!("github output:\n{github}"));
    }
    if !human.contains("podlint: 1 file") {
        return Err(format!("human output:\n{human}"));
    }
    Ok(())
}

#[test]
fn mutated_fixtures_never_panic_and_give_sane_output() {
    let seeds = fixtures();
    assert!(seeds.len() > 50, "{} fixtures", seeds.len());
    // The default hook would print every caught panic; the test reports the input.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..ROUNDS {
        let input = mutate(&mut rng, &seeds);
        let run = catch_unwind(AssertUnwindSafe(|| {
            podlint::lint_bytes("mutated.yaml", input.clone(), &FORMATS)
        }));
        let verdict = match run {
            Err(panic) => Err(format!(
                "panicked: {}",
                panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("?")
            )),
            Ok(outputs) => check_outputs(&outputs),
        };
        if let Err(problem) = verdict {
            let _ = std::panic::take_hook();
            panic!(
                "round {round}: {problem}\ninput ({} bytes): {:?}",
                input.len(),
                String::from_utf8_lossy(&input)
            );
        }
    }
}
