//! The abstract syntax of WebAssembly (spec §2, "Structure"): value and
//! external types, typed indices, the module and its parts, and the one
//! instruction table from which every phase derives its handling of
//! instructions (see [`for_each_instr!`]).
#![forbid(unsafe_code)]

mod features;
mod index;
mod instr;
mod module;
mod name;
mod table;
mod types;

pub use features::{Feature, Features};
pub use index::*;
pub use instr::*;
pub use module::*;
pub use name::{escape_name, excerpt, EscapedName, EXCERPT_CHARS};
pub use types::*;

// `for_each_visit!` and `instr_fn!`: names derived from the instruction
// table by build.rs.
include!(concat!(env!("OUT_DIR"), "/derived.rs"));
