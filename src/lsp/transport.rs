//! The language server's wire: `Content-Length` framing and JSON-RPC
//! messages, read with limits so that no header can make the server
//! allocate more than [`MAX_MESSAGE_BYTES`], and no message that is not
//! JSON-RPC ends the session (lsp-server's reader trusts both).

use std::io::{self, BufRead, Read, Write};

use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};

/// The largest message body read: a document of [`super::MAX_DOCUMENT_BYTES`]
/// with every character escaped fits.
pub const MAX_MESSAGE_BYTES: u64 = 64 << 20;

/// The longest header line: real headers are a few dozen bytes.
const MAX_HEADER_LINE_BYTES: u64 = 8 << 10;

/// One framed message as the server should take it.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Not a JSON-RPC message: answer with this error and read on. `id` is
    /// the request's when it could be read, else the answer's id is null.
    Invalid {
        id: Option<Value>,
        code: ErrorCode,
        message: String,
    },
    /// A body over [`MAX_MESSAGE_BYTES`], skipped without being stored.
    TooLarge {
        length: u64,
    },
}

/// Why no more messages can be read.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The stream ended between two messages.
    Closed,
    /// The stream cannot be read further: what was wrong with it.
    Broken(String),
}

/// Reads the next message from a byte stream.
pub fn read(input: &mut impl BufRead) -> Result<Incoming, End> {
    let length = read_headers(input)?;
    if length > MAX_MESSAGE_BYTES {
        let skipped = io::copy(&mut input.take(length), &mut io::sink()).map_err(broken)?;
        return if skipped == length {
            Ok(Incoming::TooLarge { length })
        } else {
            Err(ended_inside(length, skipped))
        };
    }
    let mut body = Vec::new();
    let read = input.take(length).read_to_end(&mut body).map_err(broken)?;
    if read as u64 != length {
        return Err(ended_inside(length, read as u64));
    }
    Ok(decode(&body))
}

/// The headers up to the empty line; the value of `Content-Length`.
fn read_headers(input: &mut impl BufRead) -> Result<u64, End> {
    let mut length = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        input
            .take(MAX_HEADER_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(broken)?;
        if line.is_empty() {
            return match length {
                None => Err(End::Closed),
                Some(_) => Err(End::Broken(
                    "the stream ended inside a message's headers".into(),
                )),
            };
        }
        if line.last() != Some(&b'\n') {
            return Err(End::Broken(if line.len() as u64 > MAX_HEADER_LINE_BYTES {
                format!("a header line is longer than {MAX_HEADER_LINE_BYTES} bytes")
            } else {
                "the stream ended inside a message's headers".into()
            }));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return length
                .ok_or_else(|| End::Broken("a message has no Content-Length header".into()));
        }
        let header = text.split_once(':').filter(|(name, _)| is_token(name));
        let Some((name, value)) = header else {
            return Err(End::Broken(format!(
                "malformed header line {:?}: expected `Name: value`",
                shorten(text)
            )));
        };
        if name.eq_ignore_ascii_case("Content-Length") {
            let value = value.trim();
            match value.parse::<u64>() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    return Err(End::Broken(format!(
                        "Content-Length {:?} is not a byte count",
                        shorten(value)
                    )))
                }
            }
        }
    }
}

/// A message body as the server takes it: JSON-RPC 2.0 says which error
/// answers what.
pub fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Invalid {
                id: None,
                code: ErrorCode::ParseError,
                message: format!("the message is not valid JSON: {error}"),
            }
        }
    };
    if !value.is_object() {
        return Incoming::Invalid {
            id: None,
            code: ErrorCode::InvalidRequest,
            message: "a JSON-RPC message is a JSON object".into(),
        };
    }
    let id = value
        .get("id")
        .filter(|id| id.is_number() || id.is_string())
        .cloned();
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(_) => Incoming::Invalid {
            id,
            code: ErrorCode::InvalidRequest,
            message: "not a JSON-RPC request, response or notification (an id must be an integer or a string, a method a string)".into(),
        },
    }
}

/// What is written back: a message of the server, or an error answer to a
/// message that was not one (whose id may be null, which
/// `lsp_server::RequestId` cannot hold).
pub enum Outgoing {
    Message(Message),
    Error {
        id: Option<Value>,
        code: ErrorCode,
        message: String,
    },
}

/// Writes one framed message.
pub fn write(output: &mut impl Write, outgoing: &Outgoing) -> io::Result<()> {
    match outgoing {
        Outgoing::Message(message) => message.write(output),
        Outgoing::Error { id, code, message } => {
            let body = json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": {"code": *code as i32, "message": message},
            })
            .to_string();
            write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
            output.flush()
        }
    }
}

/// A header name as HTTP defines it (RFC 9110 `token`): a body sent
/// without headers is not taken for one.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn broken(error: io::Error) -> End {
    End::Broken(format!("cannot read standard input: {error}"))
}

fn ended_inside(length: u64, read: u64) -> End {
    End::Broken(format!(
        "the stream ended inside a message: {read} of its {length} bytes came"
    ))
}

/// At most 80 characters of a header, for a message about it.
fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let mut short: String = chars.by_ref().take(80).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (Vec<Incoming>, End) {
        let mut input = bytes;
        let mut got = Vec::new();
        loop {
            match read(&mut input) {
                Ok(incoming) => got.push(incoming),
                Err(end) => return (got, end),
            }
        }
    }

    fn broken_with(bytes: &[u8]) -> String {
        match read_all(bytes).1 {
            End::Broken(message) => message,
            End::Closed => panic!("{bytes:?} read as closed"),
        }
    }

    #[test]
    fn huge_content_lengths_are_skipped_without_allocating() {
        let mut bytes = b"Content-Length: 100000000000\r\n\r\n".to_vec();
        bytes.extend(b"{}");
        assert_eq!(
            broken_with(&bytes),
            "the stream ended inside a message: 2 of its 100000000000 bytes came"
        );
        assert_eq!(
            broken_with(b"Content-Length: 18446744073709551615\r\n\r\n"),
            "the stream ended inside a message: 0 of its 18446744073709551615 bytes came"
        );
        let length = MAX_MESSAGE_BYTES + 1;
        let mut bytes = format!("Content-Length: {length}\r\n\r\n").into_bytes();
        bytes.resize(bytes.len() + length as usize, b' ');
        bytes.extend(b"Content-Length: 2\r\n\r\n{}");
        let (got, end) = read_all(&bytes);
        assert!(matches!(got[0], Incoming::TooLarge { length: l } if l == length));
        assert!(matches!(
            got[1],
            Incoming::Invalid {
                code: ErrorCode::InvalidRequest,
                ..
            }
        ));
        assert_eq!(end, End::Closed);
    }

    #[test]
    fn malformed_headers_say_what_was_wrong() {
        assert_eq!(
            broken_with(b"Content-Length: -1\r\n\r\n"),
            "Content-Length \"-1\" is not a byte count"
        );
        assert_eq!(
            broken_with(b"hello\r\n\r\n"),
            "malformed header line \"hello\": expected `Name: value`"
        );
        assert_eq!(
            broken_with(b"Content-Type: x\r\n\r\n{}"),
            "a message has no Content-Length header"
        );
        let long = format!("X-Long: {}\r\n", "a".repeat(10_000));
        assert_eq!(
            broken_with(long.as_bytes()),
            "a header line is longer than 8192 bytes"
        );
        assert_eq!(
            broken_with(b"Content-Length: 5\r\n"),
            "the stream ended inside a message's headers"
        );
    }

    #[test]
    fn bodies_that_are_not_json_rpc_get_the_protocol_errors() {
        let cases: [(&[u8], ErrorCode, Option<Value>); 5] = [
            (b"{not json", ErrorCode::ParseError, None),
            (br#""\ud800""#, ErrorCode::ParseError, None),
            (b"[1, 2]", ErrorCode::InvalidRequest, None),
            (br#"{"id": 7}"#, ErrorCode::InvalidRequest, Some(json!(7))),
            (
                br#"{"id": "a", "method": 3}"#,
                ErrorCode::InvalidRequest,
                Some(json!("a")),
            ),
        ];
        for (body, expected_code, expected_id) in cases {
            match decode(body) {
                Incoming::Invalid { id, code, .. } => {
                    assert_eq!((code as i32, id), (expected_code as i32, expected_id));
                }
                other => panic!("{body:?} decoded as {other:?}"),
            }
        }
    }

    #[test]
    fn lf_only_headers_and_other_headers_are_accepted() {
        let bytes = b"content-length:2\nContent-Type: application/vscode-jsonrpc\n\n{}";
        let (got, end) = read_all(bytes);
        assert_eq!(got.len(), 1);
        assert_eq!(end, End::Closed);
    }
}
