//! The text format (spec §6): a lexer, the WAT module parser and the WAST
//! script parser.
//!
//! [`parse_wat`] turns module text into the same [`Module`] the binary
//! decoder produces: function bodies and constant expressions are encoded to
//! bytes with the binary crate's `encode_instr`, so that every later phase
//! has one input format. Abbreviations (§6.6) are desugared as the `wast`
//! crate does, so that text and the binary `wast` makes from it decode to
//! equal modules.
//!
//! Parsing is done in two passes over the token vector: the first reads the
//! module fields, binds every module-level identifier and records where the
//! instruction sequences are; the second parses the instruction sequences
//! with all module-level names known. Folded and structured instructions are
//! parsed with an explicit stack, never by recursion, so deeply nested input
//! cannot overflow the native stack.
#![forbid(unsafe_code)]

mod annot;
mod body;
mod lexer;
mod num;
mod parser;
mod print;
mod spans;
pub mod wast;
mod wat;

pub use print::{print, print_instr, print_with, write_f32, write_f64, PrintOptions};
pub use spans::SourceMap;
use std::fmt;
use weft_syntax::{Features, Module};

/// A text-format error: the spec's message (as the reference interpreter
/// words it, e.g. "unknown operator", "unexpected token", "constant out of
/// range") and the 1-based line and column (in bytes) where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The message, starting with the spec's wording.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in bytes.
    pub column: usize,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, line: usize, column: usize) -> Self {
        ParseError {
            message: message.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at {}:{})", self.message, self.line, self.column)
    }
}

impl std::error::Error for ParseError {}

/// Result of parsing.
pub type Result<T, E = ParseError> = std::result::Result<T, E>;

/// Parses a module in the text format: either a whole `(module $id? field*)`
/// form or a sequence of bare module fields (§6.6.13).
///
/// Annotations (`(@id ...)`) are taken out first; `@custom`, `@name` and
/// branch hints are checked (see `annot`), and the custom sections and the
/// module name they give are added to the module.
pub fn parse_wat(src: &str, features: Features) -> Result<Module<'static>> {
    Ok(parse_wat_with_spans(src, features)?.0)
}

/// Parses a module as [`parse_wat`] does, and also returns where each
/// instruction was written, so that a validation error at a byte offset of
/// the module's encoding can be reported at a line and column
/// ([`SourceMap::locate`]).
pub fn parse_wat_with_spans(src: &str, features: Features) -> Result<(Module<'static>, SourceMap)> {
    let tokens = lexer::tokenize(src);
    let (tokens, annotations) = annot::strip(&tokens);
    let known = annot::Known::check(&tokens, &annotations)?;
    let (mut module, spans) = wat::parse_module(&tokens, features)?;
    known.apply(&mut module);
    Ok((module, spans))
}
