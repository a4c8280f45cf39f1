//! The binary format (spec §5): a decoder from bytes to [`Module`] and an
//! encoder back.
//!
//! - [`decode`]: bytes to [`Module`], with every check of §5 except those
//!   inside function bodies, which stay encoded for the validator;
//! - [`encode`]: [`Module`] to bytes, sections in spec order, minimal
//!   LEB128 encodings;
//! - [`section_headers`]: the layout of a binary, for `objdump -h`;
//! - [`Reader`]: the primitive reader, incl. [`Reader::read_instr`] and
//!   [`Reader::visit_instr`], which hands an instruction to a
//!   [`VisitInstr`] (one method per row of the instruction table; the rows
//!   with the method names are `weft_syntax::for_each_visit!`).
//!
//! Decoding borrows the input: names, data and function bodies stay slices
//! of it, and instructions are read on demand with [`Reader::read_instr`].
//! Every error is a [`DecodeError`] with the spec's wording and the absolute
//! byte offset where decoding stopped.
//!
//! [`Module`]: weft_syntax::Module
#![forbid(unsafe_code)]

mod encode;
mod error;
mod instr;
mod module;
mod names;
mod reader;
mod sections;

pub use encode::encode;
pub use error::DecodeError;
pub use instr::{encode_instr, Immediate, VisitInstr};
pub use module::{decode, field_offset};
pub use reader::Reader;
pub use sections::{
    id as section_id, section_headers, section_name, SectionHeader, MAGIC, SECTION_ORDER, VERSION,
};

/// Result of decoding.
pub type Result<T, E = DecodeError> = std::result::Result<T, E>;
