//! Weft: a WebAssembly runtime.
//!
//! The embedding API follows the leading Rust runtimes: an [`Engine`]
//! (configured once, shared), [`Module`]s (decoded and validated once,
//! instantiated many times), a [`Store`] that owns instances and the host's
//! state, a [`Linker`] that resolves imports by name (host functions from
//! plain closures), and handles for [`Instance`], [`Func`]
//! ([`TypedFunc`]), [`Memory`], [`Table`] and [`Global`].
//!
//! ```
//! # fn main() -> weft::Result<()> {
//! use weft::{Engine, Linker, Module, Store};
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (func (export "fac") (param i64) (result i64)
//!         (if (result i64) (i64.eqz (local.get 0))
//!             (then (i64.const 1))
//!             (else (i64.mul (local.get 0)
//!                 (call 0 (i64.sub (local.get 0) (i64.const 1))))))))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
//! let fac = instance.get_typed_func::<i64, i64>(&mut store, "fac")?;
//! assert_eq!(fac.call(&mut store, 20)?, 2432902008176640000);
//! # Ok(()) }
//! ```
//!
//! Execution is an interpreter over a register-style internal code
//! (see `interp/`), translated lazily from validated function bodies;
//! guest calls never recurse on the native stack. Traps carry the spec's
//! message and a Wasm backtrace ([`Trap`]).

#![warn(missing_docs)]

mod engine;
mod error;
mod externals;
mod func;
mod instance;
mod interp;
mod linker;
mod module;
#[allow(dead_code)] // the full set of semantics; the interpreter uses what the table names
pub(crate) mod ops;
mod store;
mod values;

pub use engine::{CompilationMode, Config, Engine};
pub use error::{Error, ErrorKind, FrameInfo, Result, Trap, TrapCode};
pub use externals::{Extern, Global, Memory, Table};
pub use func::{Caller, Func, IntoFunc, TypedFunc};
pub use instance::Instance;
pub use linker::Linker;
pub use module::{ExportType, ExternType, ImportType, Module};
pub use store::{AsContext, AsContextMut, Store};
pub use values::{ExternRef, Val, WasmParams, WasmResults, WasmRet, WasmTy, WasmTyList};
pub use weft_syntax::{
    Features, FuncType, GlobalType, HeapType, Limits, MemType, Mut, RefType, TableType, ValType,
};
