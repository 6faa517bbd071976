//! Positions and names as the protocol has them: 0-based lines with columns
//! in UTF-16 code units (or UTF-8/UTF-32 when the client offers them), and
//! `file://` URIs.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, PositionEncodingKind, Range, Uri};

use crate::source::{LineIndex, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// UTF-8 when the client offers it (podlint's spans are bytes), else
    /// UTF-32, else UTF-16, which every client must support.
    pub fn negotiate(offered: &[PositionEncodingKind]) -> Encoding {
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// Byte offsets of one text to protocol positions and back.
pub struct Positions<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
    encoding: Encoding,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> Self {
        Positions {
            text,
            lines: LineIndex::new(text),
            encoding,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.line_of(to_u32(offset));
        let start = self.lines.line_start(line);
        let character = self.text.get(start..offset).map_or(0, |prefix| {
            prefix.chars().map(|c| self.encoding.width(c)).sum()
        });
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(
            self.position(span.start as usize),
            self.position(span.end as usize),
        )
    }

    /// The byte offset of a position; a column past the end of its line
    /// means the line's end, a line past the end of the text its end.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.lines.line_count() {
            return self.text.len();
        }
        let start = self.lines.line_start(line);
        let mut units = 0;
        for (index, c) in self.lines.line_text(line).char_indices() {
            if units >= position.character as usize {
                return start + index;
            }
            units += self.encoding.width(c);
        }
        start + self.lines.line_text(line).len()
    }

    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.line_of(to_u32(offset))
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.lines.line_start(line)
    }

    pub fn line_text(&self, line: usize) -> &'a str {
        self.lines.line_text(line)
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The local path of a `file://` URI; `None` for other schemes (unsaved
/// buffers), which are linted with the workspace's config.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = percent_decode(path.as_bytes())?;
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The `file://` URI of a local path.
pub fn file_uri(path: &Path) -> Option<Uri> {
    let mut uri = String::from("file://");
    for &byte in path.to_str()?.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            out.push(byte);
            rest = tail;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_by_default_and_bytes_when_negotiated() {
        let text = "a: é😀x\nb: 1\n";
        let x = text.find('x').unwrap_or_default();
        let utf16 = Positions::new(text, Encoding::Utf16);
        assert_eq!(utf16.position(x), Position::new(0, 6));
        assert_eq!(utf16.offset(Position::new(0, 6)), x);
        let utf8 = Positions::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(x), Position::new(0, 9));
        let utf32 = Positions::new(text, Encoding::Utf32);
        assert_eq!(utf32.position(x), Position::new(0, 5));
        assert_eq!(utf16.position(text.len()), Position::new(2, 0));
        assert_eq!(utf16.offset(Position::new(1, 99)), text.len() - 1);
        assert_eq!(utf16.offset(Position::new(9, 0)), text.len());
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/my manifests/web#1.yaml");
        let uri = file_uri(path);
        assert_eq!(
            uri.as_ref().map(|u| u.as_str()),
            Some("file:///tmp/my%20manifests/web%231.yaml")
        );
        assert_eq!(uri.and_then(|u| file_path(&u)), Some(path.to_path_buf()));
        let untitled = Uri::from_str("untitled:Untitled-1").ok();
        assert_eq!(untitled.and_then(|u| file_path(&u)), None);
    }
}
