//! Reading a file into text and documents: decoding, YAML/JSON parsing with spans.

mod lines;
mod parse;
mod read;
mod tree;

pub use lines::{LineIndex, Position};
pub use parse::{parse, parse_each, Document, ParsedSource, SyntaxProblem};
pub use read::read;
pub use tree::{Comment, Entry, Node, Scalar, ScalarStyle, Span, Value};

/// A file's text as podlint reads it: decoded to UTF-8, BOM removed.
pub struct SourceText {
    pub text: String,
    /// Set when the bytes were not valid text: where it goes wrong and why.
    pub decode_error: Option<(Span, String)>,
}

pub fn decode(bytes: Vec<u8>) -> SourceText {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8(rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(from_bytes) = utf16 {
        let units = bytes[2..]
            .chunks(2)
            .map(|pair| from_bytes([pair[0], *pair.get(1).unwrap_or(&0)]));
        let mut text = String::with_capacity(bytes.len() / 2);
        for decoded in char::decode_utf16(units) {
            match decoded {
                Ok(c) => text.push(c),
                Err(_) => {
                    let at = text.len();
                    return SourceText {
                        text,
                        decode_error: Some((Span::new(at, at), "invalid UTF-16".into())),
                    };
                }
            }
        }
        return SourceText {
            text,
            decode_error: None,
        };
    }
    decode_utf8(bytes)
}

fn decode_utf8(bytes: Vec<u8>) -> SourceText {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let decode_error = text.find('\0').map(|at| {
                (
                    Span::new(at, at + 1),
                    "a NUL byte: this looks like a binary file, not YAML or JSON".to_string(),
                )
            });
            SourceText { text, decode_error }
        }
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let message = if error.as_bytes().contains(&0) {
                "not text: this looks like a binary file, not YAML or JSON"
            } else {
                "invalid UTF-8: YAML and JSON files must be UTF-8 (or UTF-16 with a BOM)"
            };
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            SourceText {
                text,
                decode_error: Some((Span::new(at, end), message.into())),
            }
        }
    }
}
