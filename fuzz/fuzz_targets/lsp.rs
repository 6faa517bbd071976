//! Arbitrary bytes as what an editor sends `podlint lsp`: framing, JSON and
//! JSON-RPC. A panic, a hang or runaway memory is a bug, and everything the
//! server writes back must be framed JSON.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let output = podlint::lsp_session(data.to_vec());
    let mut rest = &output[..];
    while !rest.is_empty() {
        let (header, after) = split_once(rest, b"\r\n\r\n").expect("a header ends the server's frame");
        let header = std::str::from_utf8(header).expect("ASCII header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|n| n.parse().ok())
            .expect("a Content-Length header");
        let body = &after[..length];
        if let Err(error) = serde_json::from_slice::<serde_json::Value>(body) {
            panic!("the server wrote a body that is not JSON ({error})");
        }
        rest = &after[length..];
    }
});

fn split_once<'a>(bytes: &'a [u8], separator: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = bytes.windows(separator.len()).position(|w| w == separator)?;
    Some((&bytes[..at], &bytes[at + separator.len()..]))
}
