use std::fmt;

/// A malformed binary: the spec's message (e.g. "integer too large") and
/// the absolute offset in the input at which it was detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The message, starting with the spec's own wording.
    pub message: String,
    /// Absolute byte offset in the input.
    pub offset: usize,
}

impl DecodeError {
    /// An error with the given message at `offset`.
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        DecodeError {
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset 0x{:x})", self.message, self.offset)
    }
}

impl std::error::Error for DecodeError {}
