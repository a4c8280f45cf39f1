//! Weft's compiler tier: validated WebAssembly function bodies to machine
//! code with Cranelift.
//!
//! This crate knows nothing of the runtime's store: it compiles a module's
//! functions ([`Compiler::compile_module`]) against the context layout of
//! [`vmctx`], and the runtime (`weft`, behind its `cranelift` feature)
//! fills that context in and calls the code through [`vmctx::EntryFn`].
//!
//! What is compiled today: i32/i64/f32/f64 arithmetic, comparisons and
//! conversions with the spec's traps, control flow, locals, globals,
//! loads and stores of memory 0 with explicit bounds checks, `memory.size`
//! and `memory.grow`, `select`, direct and indirect calls (through the
//! runtime). A function using anything else (v128, references, tables,
//! bulk memory, multiple memories, new 3.0 rows) is declined with the reason
//! and stays in the interpreter.

mod code_memory;
mod lower;
mod translate;
pub mod vmctx;

pub use code_memory::CodeMemory;
pub use translate::ModuleEnv;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{Function, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use weft_syntax::{Code, FuncType};

/// A Cranelift code generator for the host machine.
pub struct Compiler {
    isa: OwnedTargetIsa,
}

/// The compiled functions of one module.
pub struct CompiledModule {
    /// The machine code of all compiled functions (`None` if none was).
    pub code: Option<CodeMemory>,
    /// For each defined function, its entry point's offset in `code`, or
    /// why it was declined.
    pub funcs: Vec<Result<usize, String>>,
}

impl CompiledModule {
    /// The entry point of defined function `def`, if it was compiled.
    pub fn entry(&self, def: u32) -> Option<vmctx::EntryFn> {
        let off = *self.funcs.get(def as usize)?.as_ref().ok()?;
        let at = self.code.as_ref()?.at(off);
        // SAFETY: `at` is the start of a function compiled with the entry
        // signature (`translate::entry_signature`, the host's default
        // calling convention, which is `extern "C"`), in executable memory
        // that lives as long as `self`.
        Some(unsafe { std::mem::transmute::<*const u8, vmctx::EntryFn>(at) })
    }
}

impl Compiler {
    /// A compiler for the host, or why the host is not supported.
    pub fn new() -> Result<Compiler, String> {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| e.to_string())?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        Ok(Compiler { isa })
    }

    /// Compiles the defined functions `bodies` (in order: `(type, body)` of
    /// defined function 0, 1, ...) of a validated module.
    pub fn compile_module<'c>(
        &self,
        env: &dyn ModuleEnv,
        bodies: impl Iterator<Item = (&'c FuncType, &'c Code<'c>)>,
    ) -> CompiledModule {
        let mut bytes = Vec::new();
        let mut funcs = Vec::new();
        let mut fctx = FunctionBuilderContext::new();
        let mut ctx = Context::new();
        for (def, (ty, code)) in bodies.enumerate() {
            let r = self.compile_func(&mut fctx, &mut ctx, env, def as u32, ty, code);
            funcs.push(r.map(|machine| {
                while bytes.len() % 16 != 0 {
                    bytes.push(0);
                }
                let at = bytes.len();
                bytes.extend_from_slice(&machine);
                at
            }));
        }
        let code = if funcs.iter().any(Result::is_ok) {
            match CodeMemory::new(&bytes) {
                Some(c) => Some(c),
                None => {
                    for f in &mut funcs {
                        *f = Err("no executable memory".into());
                    }
                    None
                }
            }
        } else {
            None
        };
        CompiledModule { code, funcs }
    }

    fn compile_func(
        &self,
        fctx: &mut FunctionBuilderContext,
        ctx: &mut Context,
        env: &dyn ModuleEnv,
        def: u32,
        ty: &FuncType,
        code: &Code<'_>,
    ) -> Result<Vec<u8>, String> {
        let fc = self.isa.frontend_config();
        ctx.clear();
        ctx.func = Function::with_name_signature(
            UserFuncName::user(0, def),
            translate::entry_signature(fc.pointer_type(), fc.default_call_conv),
        );
        let b = FunctionBuilder::new(&mut ctx.func, fctx);
        translate::translate(b, env, def, ty, code, fc)?;
        let compiled = ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| format!("cranelift: {:?}", e.inner))?;
        if !compiled.buffer.relocs().is_empty() {
            return Err("needs relocations (a libcall)".into());
        }
        Ok(compiled.code_buffer().to_vec())
    }
}
