//! Arbitrary bytes through the whole pipeline: decode, parse, extract, every
//! rule, every output format. A panic, a hang or runaway memory is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podlint::report::Format;

const FORMATS: [Format; 5] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Compact,
];

fuzz_target!(|data: &[u8]| {
    let outputs = podlint::lint_bytes("fuzz.yaml", data.to_vec(), &FORMATS);
    // The machine formats must stay valid JSON whatever the input holds.
    for json in [&outputs[1], &outputs[2]] {
        if let Err(error) = serde_json::from_str::<serde_json::Value>(json) {
            panic!("invalid JSON output ({error}):\n{json}");
        }
    }
});
