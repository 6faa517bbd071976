//! YAML (and JSON, a subset of it) to span trees, one per document.
//!
//! granit-parser gives byte offsets, comments, bounded nesting and recovery at
//! the next `---`; on top of its events this builds [`Node`] trees, expands
//! aliases within a budget, applies merge keys and records duplicate keys.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScanError};

use super::tree::{Comment, Entry, Node, Scalar, ScalarStyle, Span, Value};

/// Nodes that alias expansion may add to one file before it is refused:
/// generous for real manifests, fatal for a billion-laughs bomb.
const ALIAS_EXPANSION_BUDGET: usize = 1_000_000;
/// Deepest tree that alias expansion may build (the parser caps written nesting).
const MAX_DEPTH: usize = 512;
/// Written nesting allowed by the parser, block and flow alike.
const NESTING_LIMIT: usize = 256;
/// Mappings up to this many keys look for duplicate keys without hashing.
const SMALL_MAPPING: usize = 16;

#[derive(Debug)]
pub struct Document {
    pub root: Node,
}

#[derive(Debug, Clone)]
pub enum SyntaxProblem {
    /// Not valid YAML/JSON, or a limit was hit; the rest of the document is skipped.
    Invalid { span: Span, message: String },
    /// The same key twice in one mapping: `first` is where it was first written.
    DuplicateKey {
        key: String,
        span: Span,
        first: Span,
        /// The later entry, key to value, when both values are the same:
        /// removing it changes nothing.
        redundant: Option<Span>,
    },
}

#[derive(Debug, Default)]
pub struct ParsedSource {
    pub documents: Vec<Document>,
    pub problems: Vec<SyntaxProblem>,
    pub comments: Vec<Comment>,
}

pub fn parse(text: &str) -> ParsedSource {
    let mut documents = Vec::new();
    let mut parsed = parse_each(text, |document| documents.push(document));
    parsed.documents = documents;
    parsed
}

/// [`parse`], handing each document to `on_document` as soon as it is built,
/// so that the trees of a large file are not all held at once. The result
/// has the problems and comments, and no documents.
pub fn parse_each(text: &str, mut on_document: impl FnMut(Document)) -> ParsedSource {
    let options = granit_parser::options! {
        block_nesting_limit: NESTING_LIMIT,
        flow_nesting_limit: NESTING_LIMIT,
        // Comments matter only for suppressions, which name podlint: a
        // file that does not is parsed without collecting its comments.
        emit_comments: text.contains("podlint"),
        // Long runs of commented-out lines are common in values files.
        max_buffered_comment_events: 1 << 16,
    };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::default();
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let span = to_span(text, &span);
                if let Err(message) = builder.event(event, span) {
                    builder.fail(span, message);
                    if !recover(&mut parser, &mut builder, text) {
                        break;
                    }
                }
            }
            Some(Err(error)) => {
                let span = error_span(text, &error);
                let message = long_key(text, span).unwrap_or_else(|| describe(&error));
                builder.fail(span, message);
                if !recover(&mut parser, &mut builder, text) {
                    break;
                }
            }
        }
        builder.out.documents.drain(..).for_each(&mut on_document);
    }
    builder.out.documents.drain(..).for_each(&mut on_document);
    builder.out
}

fn recover<'a>(
    parser: &mut Parser<'a, granit_parser::StrInput<'a>>,
    builder: &mut Builder,
    text: &str,
) -> bool {
    builder.abandon_document();
    match parser.proceed_next_document() {
        Ok(more) => more,
        Err(error) => {
            builder.fail(error_span(text, &error), describe(&error));
            false
        }
    }
}

fn describe(error: &ScanError) -> String {
    match error.kind() {
        granit_parser::ErrorKind::RecursionLimitExceeded => {
            format!(
                "nesting deeper than {NESTING_LIMIT} levels; the rest of the document is not read"
            )
        }
        kind => kind.to_string(),
    }
}

/// YAML's limit on the length of a plain (implicit) key.
const IMPLICIT_KEY_LIMIT: usize = 1024;

/// The parser's "mapping values are not allowed" at the `:` after a plain
/// key longer than YAML allows, said as what it is.
fn long_key(text: &str, span: Span) -> Option<String> {
    let before = text.get(..span.start as usize)?;
    let line = before.rsplit('\n').next()?;
    let key = line.trim_start().trim_start_matches("- ").trim();
    let length = key.chars().count();
    (text.get(span.start as usize..)?.starts_with(':') && length > IMPLICIT_KEY_LIMIT).then(|| {
        format!(
            "this key is {length} characters long; YAML allows at most {IMPLICIT_KEY_LIMIT} in a plain key (write `? ` before a longer one)"
        )
    })
}

fn error_span(text: &str, error: &ScanError) -> Span {
    let offset = marker_offset(text, error.marker());
    // Point at the character where parsing failed (or the end of the file).
    let end = text[offset.min(text.len())..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    Span::new(offset, end)
}

fn marker_offset(text: &str, marker: &granit_parser::Marker) -> usize {
    marker.byte_offset().unwrap_or_else(|| {
        text.char_indices()
            .nth(marker.index())
            .map_or(text.len(), |(i, _)| i)
    })
}

fn to_span(text: &str, span: &granit_parser::Span) -> Span {
    Span::new(
        marker_offset(text, &span.start),
        marker_offset(text, &span.end),
    )
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
        size_before: usize,
        height: usize,
    },
    Map {
        start: Span,
        anchor: usize,
        entries: Vec<Entry>,
        merges: Vec<Node>,
        key: Option<Node>,
        size_before: usize,
        height: usize,
    },
}

struct Anchored {
    node: Node,
    size: usize,
    height: usize,
}

#[derive(Default)]
struct Builder {
    out: ParsedSource,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// Nodes built in this file, aliases included.
    size: usize,
    expanded: usize,
}

impl Builder {
    fn fail(&mut self, span: Span, message: String) {
        self.out
            .problems
            .push(SyntaxProblem::Invalid { span, message });
    }

    fn abandon_document(&mut self) {
        self.stack.clear();
        self.anchors.clear();
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), String> {
        match event {
            Event::DocumentStart(..) => self.anchors.clear(),
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = Scalar {
                    text: text.as_ref().into(),
                    style: match style {
                        granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
                        granit_parser::ScalarStyle::SingleQuoted
                        | granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::Quoted,
                        granit_parser::ScalarStyle::Literal
                        | granit_parser::ScalarStyle::Folded => ScalarStyle::Block,
                    },
                    tag: tag.map(|t| t.core_suffix().unwrap_or(t.suffix()).into()),
                };
                self.size += 1;
                let node = Node {
                    span,
                    value: Value::Scalar(scalar),
                };
                self.remember(anchor, &node, 1, 1);
                self.complete(node, 1);
            }
            Event::SequenceStart(_, anchor, _) => {
                self.open()?;
                self.stack.push(Frame::Seq {
                    start: span,
                    anchor,
                    items: Vec::new(),
                    size_before: self.size,
                    height: 0,
                });
                self.size += 1;
            }
            Event::MappingStart(_, anchor, _) => {
                self.open()?;
                self.stack.push(Frame::Map {
                    start: span,
                    anchor,
                    entries: Vec::new(),
                    merges: Vec::new(),
                    key: None,
                    size_before: self.size,
                    height: 0,
                });
                self.size += 1;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(id) => {
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err("alias to an unknown anchor".into());
                };
                self.expanded += anchored.size;
                if self.expanded > ALIAS_EXPANSION_BUDGET {
                    return Err(format!(
                        "aliases expand to more than {ALIAS_EXPANSION_BUDGET} nodes (an alias bomb?); the rest of the document is not read"
                    ));
                }
                if self.stack.len() + anchored.height > MAX_DEPTH {
                    return Err(format!("aliases nest deeper than {MAX_DEPTH} levels"));
                }
                let (node, height) = (anchored.node.clone(), anchored.height);
                self.size += anchored.size;
                self.complete(node, height);
            }
            Event::Comment(text, _) if text.contains("podlint") => {
                self.out.comments.push(Comment {
                    span,
                    text: text.as_ref().into(),
                });
            }
            // Stream and document ends, anchor metadata (off), and events of
            // future parser versions carry no data for the tree.
            _ => {}
        }
        Ok(())
    }

    fn open(&self) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: usize, height: usize) {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    size,
                    height,
                },
            );
        }
    }

    fn close(&mut self, end: Span) -> Result<(), String> {
        let Some(frame) = self.stack.pop() else {
            return Err("unbalanced end of collection".into());
        };
        let (node, anchor, size_before, height) = match frame {
            Frame::Seq {
                start,
                anchor,
                mut items,
                size_before,
                height,
            } => {
                // A collection is held as long as its document: without the
                // room left by growing (a mapping of 2 entries has room for
                // 4), a file of one-line containers takes half the memory.
                items.shrink_to_fit();
                let last = items.last().map_or(end.end, |n| n.span.end);
                let span = Span {
                    start: start.start,
                    end: last.max(start.end),
                };
                let node = Node {
                    span,
                    value: Value::Seq(items),
                };
                (node, anchor, size_before, height)
            }
            Frame::Map {
                start,
                anchor,
                entries,
                merges,
                size_before,
                height,
                ..
            } => {
                let mut entries = self.finish_mapping(entries, merges);
                entries.shrink_to_fit();
                let last = entries
                    .last()
                    .map_or(end.end, |e| e.value.span.end.max(e.key.span.end));
                let span = Span {
                    start: start.start,
                    end: last.max(start.end),
                };
                let node = Node {
                    span,
                    value: Value::Map(entries),
                };
                (node, anchor, size_before, height)
            }
        };
        let height = height + 1;
        self.remember(anchor, &node, self.size - size_before, height);
        self.complete(node, height);
        Ok(())
    }

    /// Reports duplicate keys (the later one wins, as in most YAML loaders)
    /// and applies merge keys: written keys win over merged ones, and earlier
    /// merge sources over later ones.
    fn finish_mapping(&mut self, mut written: Vec<Entry>, merges: Vec<Node>) -> Vec<Entry> {
        self.drop_duplicate_keys(&mut written);
        if merges.is_empty() {
            return written;
        }
        let mut present: std::collections::HashSet<Box<str>> = written
            .iter()
            .filter_map(|e| e.key.as_scalar().map(|k| k.text.clone()))
            .collect();
        for source in merges {
            let sources = match source.value {
                Value::Seq(items) => items,
                _ => vec![source],
            };
            for source in sources {
                match source.value {
                    Value::Map(merged) => {
                        for entry in merged {
                            let key = entry.key.as_scalar().map(|k| k.text.clone());
                            if key.as_ref().is_none_or(|k| present.insert(k.clone())) {
                                written.push(entry);
                            }
                        }
                    }
                    _ => self.out.problems.push(SyntaxProblem::Invalid {
                        span: source.span,
                        message: "a merge key (`<<`) must refer to a mapping".into(),
                    }),
                }
            }
        }
        written
    }

    /// Reports each key written again in its mapping, pointing at the
    /// previous place it was written, and keeps only its last entry.
    fn drop_duplicate_keys(&mut self, entries: &mut Vec<Entry>) {
        // Each later entry is paired with the previous one of the same key.
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        if entries.len() <= SMALL_MAPPING {
            // Comparing with the earlier keys is cheaper than hashing them.
            for later in 1..entries.len() {
                let Some(text) = scalar_key(&entries[later]) else {
                    continue;
                };
                if let Some(earlier) = (0..later)
                    .rev()
                    .find(|&i| scalar_key(&entries[i]) == Some(text))
                {
                    duplicates.push((earlier, later));
                }
            }
        } else {
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
            for (later, entry) in entries.iter().enumerate() {
                if let Some(earlier) = scalar_key(entry).and_then(|text| seen.insert(text, later)) {
                    duplicates.push((earlier, later));
                }
            }
        }
        if duplicates.is_empty() {
            return;
        }
        let mut dropped = vec![false; entries.len()];
        for &(earlier, later) in &duplicates {
            dropped[earlier] = true;
            let (first, again) = (&entries[earlier], &entries[later]);
            self.out.problems.push(SyntaxProblem::DuplicateKey {
                key: scalar_key(again).unwrap_or_default().to_string(),
                span: again.key.span,
                first: first.key.span,
                redundant: same_value(&first.value, &again.value)
                    .then(|| again.key.span.to(again.value.span)),
            });
        }
        let mut index = 0;
        entries.retain(|_| {
            index += 1;
            !dropped[index - 1]
        });
    }

    fn complete(&mut self, node: Node, height: usize) {
        match self.stack.last_mut() {
            None => {
                if !node.is_null() {
                    self.out.documents.push(Document { root: node });
                }
            }
            Some(Frame::Seq {
                items, height: h, ..
            }) => {
                *h = (*h).max(height);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                merges,
                key,
                height: h,
                ..
            }) => {
                *h = (*h).max(height);
                match key.take() {
                    None => *key = Some(node),
                    Some(k) => {
                        let is_merge = k
                            .as_scalar()
                            .is_some_and(|s| s.style == ScalarStyle::Plain && &*s.text == "<<");
                        if is_merge {
                            merges.push(node);
                        } else {
                            entries.push(Entry {
                                key: k,
                                value: node,
                            });
                        }
                    }
                }
            }
        }
    }
}

/// The text of a mapping entry's key, when the key is a scalar.
fn scalar_key(entry: &Entry) -> Option<&str> {
    entry.key.as_scalar().map(|k| &*k.text)
}

/// Whether two nodes hold the same value: the same structure, and scalars
/// written with the same text, tag and quoting (`80` and `"80"` differ).
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Scalar(x), Value::Scalar(y)) => {
            x.text == y.text
                && x.tag == y.tag
                && (x.style == ScalarStyle::Plain) == (y.style == ScalarStyle::Plain)
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(x, y)| same_value(&x.key, &y.key) && same_value(&x.value, &y.value))
        }
        _ => false,
    }
}
