//! Errors and traps.
//!
//! One [`Error`] type for the whole API, with an [`ErrorKind`] that tells
//! the phase: a module that does not decode (malformed) or validate
//! (invalid), imports that do not link (unlinkable), a [`Trap`] (during a
//! call or during instantiation), an error returned by a host function, or
//! a misuse of the API (other). Messages start with the spec's own wording,
//! so that the spec runner can match them by prefix.

use std::fmt;

/// The phase or cause of an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The module's binary (or text) is not well-formed (spec §5, §6).
    Malformed,
    /// The module is not valid (spec §3).
    Invalid,
    /// The imports do not match the module's import types (spec §4.5.4):
    /// "unknown import" or "incompatible import type".
    Unlinkable,
    /// Execution trapped, in a call or while instantiating (then the
    /// module is uninstantiable). [`Error::as_trap`] gives the details.
    Trap,
    /// A host function returned this error; it unwound the Wasm frames.
    Host,
    /// A Wasm exception that no handler caught left the call
    /// ([`Error::as_exception`] gives it), or a host function throws one
    /// ([`Error::throw`]).
    Exception,
    /// The module is valid but uses a construct this engine cannot execute
    /// yet (a Wasm 3.0 feature whose execution has not landed). The spec
    /// runner counts the command as skipped, never as passed or failed.
    Unsupported,
    /// Anything else: a misuse of the API such as a type mismatch of
    /// arguments, or a handle used with the wrong store.
    Other,
}

/// An error of any phase. Its `Display` is its message.
///
/// ```
/// use weft::{Engine, Module, ErrorKind};
/// let engine = Engine::default();
/// let err = Module::new(&engine, b"\0asm\x02\0\0\0").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Malformed);
/// assert!(err.to_string().starts_with("unknown binary version"));
/// ```
pub struct Error {
    inner: Box<ErrorInner>,
}

enum ErrorInner {
    Message { kind: ErrorKind, message: String },
    Trap(Trap),
    Host(Box<dyn std::error::Error + Send + Sync + 'static>),
    Exception(Thrown),
}

/// An exception on its way out of Wasm code.
struct Thrown {
    exn: crate::ExnRef,
    /// "uncaught exception", with the tag's name once Wasm threw it.
    message: String,
    /// The Wasm frames active at the throw, innermost first.
    backtrace: Vec<FrameInfo>,
}

impl Error {
    /// An error of the given kind with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(ErrorInner::Message {
                kind,
                message: message.into(),
            }),
        }
    }

    /// An error a host function returns to abort the call, with a message
    /// (kind [`ErrorKind::Host`]).
    pub fn msg(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Host, message)
    }

    /// Wraps any error of the host (kind [`ErrorKind::Host`]); get it back
    /// with [`Error::downcast_ref`].
    pub fn host(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error {
            inner: Box::new(ErrorInner::Host(Box::new(error))),
        }
    }

    /// The error a host function returns to throw Wasm exception `exn`
    /// (kind [`ErrorKind::Exception`]): the calling Wasm code can catch it.
    pub fn throw(exn: crate::ExnRef) -> Self {
        Error::exception(exn, "uncaught exception".to_string(), Vec::new())
    }

    pub(crate) fn exception(
        exn: crate::ExnRef,
        message: String,
        backtrace: Vec<FrameInfo>,
    ) -> Self {
        Error {
            inner: Box::new(ErrorInner::Exception(Thrown {
                exn,
                message,
                backtrace,
            })),
        }
    }

    /// The exception, if this error is an uncaught Wasm exception (or one
    /// a host function throws).
    pub fn as_exception(&self) -> Option<crate::ExnRef> {
        match &*self.inner {
            ErrorInner::Exception(t) => Some(t.exn),
            _ => None,
        }
    }

    /// The Wasm frames active where a trap happened or an uncaught
    /// exception was thrown, innermost first (empty for other errors).
    pub fn backtrace(&self) -> &[FrameInfo] {
        match &*self.inner {
            ErrorInner::Trap(t) => t.backtrace(),
            ErrorInner::Exception(t) => &t.backtrace,
            _ => &[],
        }
    }

    /// The phase or cause.
    pub fn kind(&self) -> ErrorKind {
        match &*self.inner {
            ErrorInner::Message { kind, .. } => *kind,
            ErrorInner::Trap(_) => ErrorKind::Trap,
            ErrorInner::Host(_) => ErrorKind::Host,
            ErrorInner::Exception(_) => ErrorKind::Exception,
        }
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match &*self.inner {
            ErrorInner::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// The trap code, if this error is a trap.
    pub fn trap_code(&self) -> Option<TrapCode> {
        self.as_trap().map(Trap::code)
    }

    /// The host error wrapped with [`Error::host`], if it has type `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match &*self.inner {
            ErrorInner::Host(e) => e.downcast_ref(),
            _ => None,
        }
    }

    /// The message without a trap's backtrace.
    pub fn message(&self) -> String {
        match &*self.inner {
            ErrorInner::Message { message, .. } => message.clone(),
            ErrorInner::Trap(t) => t.message().to_string(),
            ErrorInner::Host(e) => e.to_string(),
            ErrorInner::Exception(t) => t.message.clone(),
        }
    }

    /// A valid construct the engine cannot execute yet (kind
    /// [`ErrorKind::Unsupported`]); `what` names it, e.g. "struct.new".
    pub fn unsupported(what: impl std::fmt::Display) -> Self {
        Error::new(ErrorKind::Unsupported, format!("not supported yet: {what}"))
    }

    pub(crate) fn other(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Other, message)
    }

    pub(crate) fn unlinkable(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unlinkable, message)
    }

    /// Gives a trap without a backtrace its backtrace (used when the
    /// interpreter unwinds).
    pub(crate) fn trap_mut(&mut self) -> Option<&mut Trap> {
        match &mut *self.inner {
            ErrorInner::Trap(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.inner {
            ErrorInner::Message { message, .. } => f.write_str(message),
            ErrorInner::Trap(t) => t.fmt(f),
            ErrorInner::Host(e) => e.fmt(f),
            ErrorInner::Exception(t) => {
                f.write_str(&t.message)?;
                write_backtrace(f, &t.backtrace)
            }
        }
    }
}

/// The backtrace lines of a trap or an uncaught exception.
fn write_backtrace(f: &mut fmt::Formatter<'_>, frames: &[FrameInfo]) -> fmt::Result {
    if !frames.is_empty() {
        f.write_str("\nwasm backtrace:")?;
        for (i, frame) in frames.iter().enumerate() {
            write!(f, "\n  {i}: {frame}")?;
        }
    }
    Ok(())
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {self})", self.kind())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.inner {
            ErrorInner::Host(e) => Some(&**e),
            _ => None,
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Self {
        Error {
            inner: Box::new(ErrorInner::Trap(t)),
        }
    }
}

impl From<TrapCode> for Error {
    fn from(code: TrapCode) -> Self {
        Trap::new(code).into()
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why execution trapped (spec §4.4: the instructions that trap, and the
/// reference interpreter's messages for them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// `unreachable` was executed: "unreachable".
    Unreachable,
    /// A memory access or bulk memory operation out of bounds:
    /// "out of bounds memory access".
    MemoryOutOfBounds,
    /// A table access or bulk table operation out of bounds:
    /// "out of bounds table access".
    TableOutOfBounds,
    /// `call_indirect` with an index beyond the table: "undefined element".
    UndefinedElement,
    /// `call_indirect` through a null entry: "uninitialized element".
    IndirectCallToNull,
    /// `call_indirect` to a function of another type:
    /// "indirect call type mismatch".
    BadSignature,
    /// Signed division overflow or a float too large for a truncation:
    /// "integer overflow".
    IntegerOverflow,
    /// Integer division or remainder by zero: "integer divide by zero".
    IntegerDivisionByZero,
    /// Truncation of a NaN: "invalid conversion to integer".
    BadConversionToInteger,
    /// The call stack exceeded its configured depth or size:
    /// "call stack exhausted".
    StackOverflow,
    /// The store's fuel ran out: "all fuel consumed".
    OutOfFuel,
    /// The engine's epoch reached the store's deadline: "interrupt".
    Interrupt,
    /// `ref.as_non_null` of null: "null reference".
    NullReference,
    /// `call_ref` or `return_call_ref` of null: "null function reference".
    NullFunctionReference,
    /// A struct instruction on null: "null structure reference".
    NullStructReference,
    /// An array instruction on null: "null array reference".
    NullArrayReference,
    /// `i31.get_s`/`i31.get_u` of null: "null i31 reference".
    NullI31Reference,
    /// `ref.cast` of a reference of another type: "cast failure".
    CastFailure,
    /// An array access out of bounds: "out of bounds array access".
    ArrayOutOfBounds,
    /// The store's GC heap reached its limit (see `runtime/gc.rs`):
    /// "out of memory: GC heap limit reached".
    GcHeapExhausted,
    /// An atomic access (threads) at an address that is not a multiple of
    /// its width: "unaligned atomic".
    UnalignedAtomic,
    /// `memory.atomic.wait32/64` on an unshared memory: "expected shared
    /// memory".
    ExpectedSharedMemory,
    /// `memory.atomic.wait32/64` without a timeout where no other thread
    /// can notify (a store runs one thread of Wasm): "deadlock".
    WaitDeadlock,
    /// `throw_ref` of null: "null exception reference".
    NullExceptionReference,
}

impl TrapCode {
    /// The spec's message for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupt => "interrupt",
            TrapCode::NullReference => "null reference",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullStructReference => "null structure reference",
            TrapCode::NullArrayReference => "null array reference",
            TrapCode::NullI31Reference => "null i31 reference",
            TrapCode::CastFailure => "cast failure",
            TrapCode::ArrayOutOfBounds => "out of bounds array access",
            TrapCode::GcHeapExhausted => "out of memory: GC heap limit reached",
            TrapCode::UnalignedAtomic => "unaligned atomic",
            TrapCode::ExpectedSharedMemory => "expected shared memory",
            TrapCode::NullExceptionReference => "null exception reference",
            TrapCode::WaitDeadlock => {
                "deadlock: memory.atomic.wait without timeout, and no other thread to notify"
            }
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One Wasm frame of a trap's backtrace, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// Index of the function in its module's function index space.
    pub func_index: u32,
    /// The function's name from the module's name section, if any, as it
    /// is there (see [`FrameInfo::demangled_name`]).
    pub func_name: Option<String>,
    /// The module's name from the name section, if any.
    pub module_name: Option<String>,
    /// The byte offset in the module's binary of the instruction the frame
    /// was executing: the one that trapped or threw in the innermost
    /// frame, the call in the others. `None` for a module made from text
    /// or where the tier cannot tell.
    pub module_offset: Option<usize>,
    /// The same instruction's offset from the start of its function's
    /// body (the byte after the body's size, where the locals begin).
    pub func_offset: Option<usize>,
    /// Source locations from the module's DWARF (`.debug_*` sections), the
    /// innermost inlined function first; empty without DWARF or with
    /// [`crate::Config::wasm_backtrace_details`] off.
    pub symbols: Vec<crate::FrameSymbol>,
}

impl FrameInfo {
    /// The function's name from the name section, demangled if it is a
    /// Rust (legacy or v0) or C++ (Itanium) symbol.
    pub fn demangled_name(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.func_name.as_deref().map(crate::debug::demangle)
    }

    /// Source locations from the module's DWARF, innermost inlined
    /// function first (see [`FrameInfo::symbols`](FrameInfo#structfield.symbols)).
    pub fn symbols(&self) -> &[crate::FrameSymbol] {
        &self.symbols
    }
}

/// Characters of a module or function name shown in a backtrace frame.
const NAME_CHARS: usize = 1024;

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names come from the module: escaped as `wasm2wat` escapes them,
        // and clipped, so that a backtrace cannot rewrite the terminal or
        // repeat a huge name for every frame.
        if let Some(m) = &self.module_name {
            write!(f, "{}!", weft_syntax::escape_name(m).clip(NAME_CHARS))?;
        } else {
            f.write_str("<module>!")?;
        }
        match self.demangled_name() {
            Some(n) => write!(f, "{}", weft_syntax::escape_name(&n).clip(NAME_CHARS))?,
            None => write!(f, "<wasm function {}>", self.func_index)?,
        }
        // One line per source location, as wasmtime prints them; an
        // inlined function's name is shown with its location.
        for (i, s) in self.symbols.iter().enumerate() {
            let Some(file) = s.file() else { continue };
            f.write_str("\n    at ")?;
            if i + 1 < self.symbols.len() {
                if let Some(n) = s.demangled_name() {
                    write!(f, "{} ", weft_syntax::escape_name(&n).clip(NAME_CHARS))?;
                }
            }
            write!(f, "{}", weft_syntax::escape_name(file).clip(NAME_CHARS))?;
            if let Some(line) = s.line() {
                write!(f, ":{line}")?;
                if let Some(col) = s.column() {
                    write!(f, ":{col}")?;
                }
            }
        }
        Ok(())
    }
}

/// A trap: its code and the Wasm frames that were active, innermost first.
///
/// `Display` prints the spec's message, then the backtrace, one frame a
/// line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    backtrace: Vec<FrameInfo>,
    frames_elided: usize,
}

impl Trap {
    /// A trap without backtrace.
    pub fn new(code: TrapCode) -> Self {
        Trap {
            code,
            backtrace: Vec::new(),
            frames_elided: 0,
        }
    }

    /// The trap code.
    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The spec's message, e.g. "integer divide by zero".
    pub fn message(&self) -> &'static str {
        self.code.message()
    }

    /// The Wasm frames active when the trap happened, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }

    /// How many frames, outside the outermost one of [`Trap::backtrace`],
    /// were active too but left out: a runaway recursion has up to
    /// [`crate::Config::max_call_depth`] of them.
    pub fn frames_elided(&self) -> usize {
        self.frames_elided
    }

    pub(crate) fn set_backtrace(&mut self, backtrace: Vec<FrameInfo>) {
        self.backtrace = backtrace;
    }

    /// The most frames a backtrace keeps (the innermost ones); the others
    /// are counted in [`Trap::frames_elided`].
    pub(crate) const MAX_FRAMES: usize = 64;

    /// Adds a caller's frame (outermost last), or counts it once the
    /// backtrace is full.
    #[cfg_attr(not(feature = "cranelift"), allow(dead_code))]
    pub(crate) fn push_frame(&mut self, frame: FrameInfo) {
        if self.backtrace.len() < Self::MAX_FRAMES {
            self.backtrace.push(frame);
        } else {
            self.add_frames_elided(1);
        }
    }

    /// Adds callers' frames (innermost first).
    pub(crate) fn extend_backtrace(&mut self, frames: impl IntoIterator<Item = FrameInfo>) {
        for f in frames {
            self.push_frame(f);
        }
    }

    /// Counts `n` more active frames left out of the backtrace.
    pub(crate) fn add_frames_elided(&mut self, n: usize) {
        self.frames_elided = self.frames_elided.saturating_add(n);
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        if !self.backtrace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            for (i, frame) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i}: {frame}")?;
            }
            if self.frames_elided > 0 {
                write!(f, "\n  ... {} more frames", self.frames_elided)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

impl From<TrapCode> for Trap {
    fn from(code: TrapCode) -> Self {
        Trap::new(code)
    }
}
