//! Output formats, one module each.

pub mod compact;
pub mod human;
pub mod json;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Compact,
}
