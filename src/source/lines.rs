//! Byte offsets to 1-based lines and character columns, built only for files
//! that have something to report.

use std::cell::OnceCell;

/// A 1-based line and column; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// (offset, characters before it) every [`BLOCK`] bytes, made the first
    /// time a column falls far into a long line.
    blocks: OnceCell<Vec<(usize, usize)>>,
}

/// Columns further than this into a line are counted from block marks, so
/// that many findings on one huge line (minified JSON) are not quadratic.
const BLOCK: usize = 4096;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            text,
            starts,
            blocks: OnceCell::new(),
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let offset = (offset as usize).min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = match self.text.get(start..offset) {
            None => offset - start,
            Some(before) if before.len() <= BLOCK => before.chars().count(),
            Some(_) => self.chars_before(offset) - self.chars_before(start),
        };
        Position {
            line: to_u32(line + 1),
            column: to_u32(column + 1),
        }
    }

    /// Characters before `offset`, a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        let blocks = self.blocks.get_or_init(|| {
            let text = self.text;
            let mut blocks = Vec::with_capacity(text.len() / BLOCK + 1);
            let (mut from, mut count) = (0, 0);
            for block in 0..=text.len() / BLOCK {
                let mut at = (block * BLOCK).min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                count += text[from..at].chars().count();
                blocks.push((at, count));
                from = at;
            }
            blocks
        });
        let (at, count) = blocks[offset / BLOCK];
        count + self.text[at..offset].chars().count()
    }

    /// The 0-based line an offset falls on.
    pub fn line_of(&self, offset: u32) -> usize {
        self.position(offset).line as usize - 1
    }

    /// The byte offset where a 0-based line starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The text of a 0-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_start(line);
        let end = self.starts.get(line + 1).map_or(self.text.len(), |e| e - 1);
        self.text
            .get(start..end.max(start))
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn columns_far_into_a_long_line_count_characters() {
        let text = format!("a: 1\n{}x{}y\n", "é".repeat(5000), "ü".repeat(9000));
        let index = LineIndex::new(&text);
        let x = text.find('x').unwrap_or_default() as u32;
        let y = text.find('y').unwrap_or_default() as u32;
        assert_eq!(
            (index.position(x).line, index.position(x).column),
            (2, 5001)
        );
        assert_eq!(
            (index.position(y).line, index.position(y).column),
            (2, 14002)
        );
        assert_eq!(index.position(3).column, 4);
    }
}
