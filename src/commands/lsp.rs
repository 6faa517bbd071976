//! `podlint lsp`: the language server on standard input and output.

pub fn run() -> u8 {
    crate::lsp::serve()
}
