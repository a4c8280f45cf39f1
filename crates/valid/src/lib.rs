//! WebAssembly validation (spec §3): the module validator (§3.4) and the
//! operator validator for function bodies (§3.3, following the spec
//! appendix's validation algorithm).
//!
//! ```text
//! validate(&module, Features::WASM2)?;
//! ```
//!
//! Function bodies and constant expressions arrive still encoded
//! ([`weft_syntax::Expr`]); the validator reads them with
//! [`weft_binary::Reader::read_instr`], so instruction-level binary errors
//! surface here, as [`ValidationError`]s with `malformed` set. Because the
//! spec decodes a whole module before validating it, an *invalid* error is
//! reported only if no body or constant expression of the module is
//! malformed (see `malformed.rs`).
#![forbid(unsafe_code)]

mod const_expr;
mod error;
mod func;
mod malformed;
mod module;
mod subtyping;
mod types;

pub use error::{Result, ValidationError};

use weft_syntax::{Features, Module};

/// Validates `module` under `features` (§3.4.10).
///
/// For many modules, a [`Validator`] reuses its stacks from one module to
/// the next.
pub fn validate(module: &Module<'_>, features: Features) -> Result<()> {
    Validator::new(features).validate(module)
}

/// A validator that keeps its operand and control stacks between modules.
#[derive(Debug)]
pub struct Validator {
    features: Features,
    buffers: func::Buffers,
}

impl Validator {
    /// A validator for the given features.
    pub fn new(features: Features) -> Self {
        Validator {
            features,
            buffers: func::Buffers::default(),
        }
    }

    /// The features this validator checks against.
    pub fn features(&self) -> Features {
        self.features
    }

    /// Validates `module` (§3.4.10). On failure, a malformed body or
    /// constant expression anywhere in the module is reported in preference
    /// to the first invalid construct.
    pub fn validate(&mut self, module: &Module<'_>) -> Result<()> {
        match module::validate_module(module, self.features, &mut self.buffers) {
            Ok(()) => Ok(()),
            Err(e) => Err(malformed::scan(module, self.features).unwrap_or(e)),
        }
    }
}

impl Default for Validator {
    /// A validator for Wasm 2.0.
    fn default() -> Self {
        Validator::new(Features::default())
    }
}

#[cfg(test)]
mod tests;
