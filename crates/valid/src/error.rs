//! The validation error.

use std::fmt;
use weft_syntax::ModuleField;

/// Why a module is not valid (spec §3), or, with `malformed` set, why one
/// of its function bodies or constant expressions is not well-formed binary
/// (§5.4; the spec classes those as malformed, not invalid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The message, starting with the spec's own wording ("type mismatch",
    /// "unknown local 5", ...), possibly followed by detail.
    pub message: String,
    /// Absolute offset in the binary, where the error is tied to an
    /// instruction (function bodies and constant expressions); `None` for
    /// module-level errors.
    pub offset: Option<usize>,
    /// True for a binary-format error met while reading a body or a constant
    /// expression ("illegal opcode", "END opcode expected", "data count
    /// section required", ...).
    pub malformed: bool,
    /// The module field a module-level error is about (an export, the
    /// start function, a segment, ...), where `offset` is `None`: the
    /// validator sees no byte offsets of fields, the caller that has the
    /// binary or the text finds it (`weft_binary::field_offset`,
    /// `weft_text::SourceMap::locate_field`).
    pub field: Option<ModuleField>,
}

impl ValidationError {
    /// An invalid-module error without an offset.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ValidationError {
            message: message.into(),
            offset: None,
            malformed: false,
            field: None,
        }
    }

    /// Ties an error without an offset to `field` (if not already tied to
    /// one); an error at an instruction keeps its offset alone.
    pub(crate) fn in_field(mut self, field: ModuleField) -> Self {
        if self.offset.is_none() && self.field.is_none() {
            self.field = Some(field);
        }
        self
    }

    /// An invalid-module error at an absolute offset.
    pub(crate) fn invalid_at(message: impl Into<String>, offset: usize) -> Self {
        ValidationError {
            message: message.into(),
            offset: Some(offset),
            malformed: false,
            field: None,
        }
    }

    /// A malformed-binary error at an absolute offset.
    pub(crate) fn malformed_at(message: impl Into<String>, offset: usize) -> Self {
        ValidationError {
            message: message.into(),
            offset: Some(offset),
            malformed: true,
            field: None,
        }
    }
}

impl From<weft_binary::DecodeError> for ValidationError {
    /// A decode error inside a body or constant expression is malformed.
    fn from(e: weft_binary::DecodeError) -> Self {
        ValidationError::malformed_at(e.message, e.offset)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "{} (at offset 0x{offset:x})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Result of validation.
pub type Result<T, E = ValidationError> = std::result::Result<T, E>;
