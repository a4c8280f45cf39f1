//! The binary format (spec §5): a decoder from bytes to [`Module`] and an
//! encoder back.
//!
//! Decoding borrows the input: names, data and function bodies stay slices
//! of it, and instructions are read on demand with [`Reader::read_instr`].
//! Every error is a [`DecodeError`] with the spec's wording and the absolute
//! byte offset where decoding stopped.
//!
//! [`Module`]: weft_syntax::Module
#![forbid(unsafe_code)]

mod error;
mod instr;
mod reader;

pub use error::DecodeError;
pub use instr::{encode_instr, Immediate};
pub use reader::Reader;

/// Result of decoding.
pub type Result<T, E = DecodeError> = std::result::Result<T, E>;
