//! Weft's compiler tier: validated WebAssembly function bodies to machine
//! code with Cranelift.
//!
//! This crate knows nothing of the runtime's store: it compiles a module's
//! functions ([`Compiler::compile_module`]) against the context layout of
//! [`vmctx`], and the runtime (`weft`, behind its `cranelift` feature)
//! fills that context in and calls the code through [`vmctx::EntryFn`].
//!
//! What is compiled today: all of Wasm 2.0, SIMD included, relaxed SIMD
//! with the interpreter's deterministic choices (`translate/simd.rs`),
//! typed function references (`call_ref`, `br_on_null`, ...: references
//! in the slot encoding, function types only), and tail calls
//! (`return_call`, `return_call_indirect`, `return_call_ref`: bodies use
//! Cranelift's `tail` convention) where [`ModuleEnv::compiles_tail_calls`]
//! allows; a function using anything else is declined with the reason and
//! stays in the interpreter. Memory 0 is behind guard pages (no bounds checks: the
//! runtime turns a fault into a trap, see [`ModuleEnv::memory_guards`]) or
//! bounds-checked explicitly; `call_indirect` finds its callee inline
//! (the runtime only when the element is not a callee of the expected
//! type); bulk memory and table instructions go through runtime calls (see
//! [`vmctx::Libcalls`]). The runtime
//! compiles a whole module ([`Compiler::compile_module`], `Strategy::Compiler`)
//! or one function on its first call ([`Compiler::compile_function`],
//! `Strategy::Auto`).

mod code_memory;
pub mod epoch_stub;
mod lower;
mod translate;
pub mod vmctx;

pub use code_memory::{is_code, try_is_code, CodeMemory};
pub use translate::ModuleEnv;

use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{ExternalName, Function, UserExternalName, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use std::sync::atomic::{AtomicUsize, Ordering};
use weft_syntax::{Code, FuncType};

/// Code section bytes below which [`Compiler::compile_module`] compiles on
/// the calling thread only.
const PARALLEL_MIN_BYTES: usize = 64 * 1024;

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
    /// For each compiled function, its body's offset from its entry point
    /// (see [`Machine::body_at`]).
    body_at: Vec<u32>,
    /// Which Wasm instruction each range of `code` came from.
    srclocs: SrcLocs,
}

/// One function's machine code, and its source locations (as in
/// [`SrcLocs`], from the function's start).
#[derive(Clone)]
struct Machine {
    code: Vec<u8>,
    srclocs: Vec<(u32, u32, u32)>,
    /// Where the body starts: the code begins with the entry point's
    /// trampoline (array convention), which calls the body. Addresses
    /// before it are not the function's frames (a return address there is
    /// the trampoline's, whose caller is the runtime).
    body_at: u32,
}

/// Ranges of machine code (`start..end`, offsets in one code mapping) and
/// the module offset of the Wasm instruction each was generated for,
/// sorted: a fault's or a return address's instruction in a backtrace.
#[derive(Default)]
struct SrcLocs(Vec<(u32, u32, u32)>);

impl SrcLocs {
    /// Adds the source locations of a function placed at `at`.
    fn add(&mut self, at: usize, function: &[(u32, u32, u32)]) {
        let at = at as u32;
        let moved = function.iter().map(|&(s, e, l)| (at + s, at + e, l));
        self.0.extend(moved);
    }

    fn at(&self, off: usize) -> Option<u32> {
        let i = self
            .0
            .partition_point(|&(start, _, _)| start as usize <= off);
        let &(_, end, loc) = self.0.get(i.checked_sub(1)?)?;
        (off < end as usize).then_some(loc)
    }
}

impl CompiledModule {
    /// No function compiled: each declined for the reason given.
    pub fn declined(reasons: impl Iterator<Item = String>) -> Self {
        CompiledModule {
            code: None,
            funcs: reasons.map(Err).collect(),
            body_at: Vec::new(),
            srclocs: SrcLocs::default(),
        }
    }

    /// The entry point of defined function `def`, if it was compiled.
    pub fn entry(&self, def: u32) -> Option<vmctx::EntryFn> {
        let off = *self.funcs.get(def as usize)?.as_ref().ok()?;
        let at = self.code.as_ref()?.at(off);
        // SAFETY: `at` is the start of a function compiled with the entry
        // signature (`translate::entry_signature`, in the host's default
        // calling convention, which is what `extern "C"` means on the
        // host), in executable memory. Making the pointer is sound; calling
        // it is `unsafe`, and its callers keep `self` (the module) alive
        // while they can (instances hold their module).
        Some(unsafe { std::mem::transmute::<*const u8, vmctx::EntryFn>(at) })
    }

    /// The body of defined function `def` (see [`vmctx::VMFuncRef::body`]),
    /// if it was compiled.
    pub fn body(&self, def: u32) -> Option<*const u8> {
        let off = *self.funcs.get(def as usize)?.as_ref().ok()?;
        let at = *self.body_at.get(def as usize)? as usize;
        Some(self.code.as_ref()?.at(off + at))
    }

    /// The defined function whose body holds address `pc`, if any.
    pub fn def_at(&self, pc: usize) -> Option<u32> {
        let off = self.code.as_ref()?.offset_of(pc)?;
        let (def, start) = self
            .funcs
            .iter()
            .enumerate()
            .filter_map(|(def, f)| Some((def as u32, *f.as_ref().ok()?)))
            .filter(|&(_, start)| start <= off)
            .max_by_key(|&(_, start)| start)?;
        let body = start + *self.body_at.get(def as usize)? as usize;
        (off >= body).then_some(def)
    }

    /// The module offset of the Wasm instruction whose machine code holds
    /// address `pc`, if any.
    pub fn wasm_offset_at(&self, pc: usize) -> Option<u32> {
        self.srclocs.at(self.code.as_ref()?.offset_of(pc)?)
    }
}

impl CompiledModule {
    /// Each compiled function's code: (defined function index, start
    /// address, length in bytes), in address order.
    pub fn ranges(&self) -> Vec<(u32, usize, usize)> {
        let Some(code) = &self.code else {
            return Vec::new();
        };
        let mut starts: Vec<(usize, u32)> = self
            .funcs
            .iter()
            .enumerate()
            .filter_map(|(def, f)| Some((*f.as_ref().ok()?, def as u32)))
            .collect();
        starts.sort_unstable();
        let ends = starts.iter().skip(1).map(|s| s.0).chain([code.len()]);
        starts
            .iter()
            .zip(ends)
            .map(|(&(start, def), end)| (def, code.at(start) as usize, end - start))
            .collect()
    }
}

/// One function compiled on its own ([`Compiler::compile_function`], for
/// compilation on first call).
pub struct NativeFunc {
    code: CodeMemory,
    srclocs: SrcLocs,
    body_at: u32,
}

impl NativeFunc {
    /// The function's entry point.
    pub fn entry(&self) -> vmctx::EntryFn {
        // SAFETY: as in `CompiledModule::entry`: the mapping starts with a
        // function compiled with the entry signature.
        unsafe { std::mem::transmute::<*const u8, vmctx::EntryFn>(self.code.at(0)) }
    }

    /// The function's body (see [`vmctx::VMFuncRef::body`]).
    pub fn body(&self) -> *const u8 {
        self.code.at(self.body_at as usize)
    }

    /// The function's code: start address and length in bytes.
    pub fn range(&self) -> (usize, usize) {
        (self.code.at(0) as usize, self.code.len())
    }

    /// Whether address `pc` is inside the function's body.
    pub fn contains(&self, pc: usize) -> bool {
        self.code
            .offset_of(pc)
            .is_some_and(|off| off >= self.body_at as usize)
    }

    /// The module offset of the Wasm instruction whose machine code holds
    /// address `pc`, if any.
    pub fn wasm_offset_at(&self, pc: usize) -> Option<u32> {
        self.srclocs.at(self.code.offset_of(pc)?)
    }
}

impl Compiler {
    /// A compiler for the host, or why the host is not supported. With
    /// `verify`, Cranelift's IR verifier checks every function before
    /// code generation (a translator bug then declines the function
    /// instead of generating wrong code, at a cost in compile time).
    pub fn new(verify: bool) -> Result<Compiler, String> {
        // Other hosts need an instruction-cache flush after the code is
        // written (`CodeMemory`), which is not done yet.
        if !cfg!(target_arch = "x86_64") {
            return Err("the compiler tier runs on x86-64 hosts only".into());
        }
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        // The runtime's fault handler walks compiled frames by their frame
        // pointers to name them in a trap's backtrace.
        flags
            .set("preserve_frame_pointers", "true")
            .map_err(|e| e.to_string())?;
        flags
            .set("enable_verifier", if verify { "true" } else { "false" })
            .map_err(|e| e.to_string())?;
        // Bodies return the status and every result in registers, or
        // through a hidden pointer when they do not fit.
        flags
            .set("enable_multi_ret_implicit_sret", "true")
            .map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| e.to_string())?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        Ok(Compiler { isa })
    }

    /// Compiles the defined functions `bodies` (in order: `(type, body)` of
    /// defined function 0, 1, ...) of a validated module, on up to
    /// `threads` threads.
    ///
    /// Functions are handed out one at a time from a shared counter (their
    /// sizes vary by orders of magnitude, so fixed shares would leave
    /// threads idle), each thread with its own Cranelift contexts; the code
    /// is laid out in function order whatever the threads' timing, so the
    /// result does not depend on it. Modules with little code compile on
    /// the calling thread: starting threads would cost more than it saves.
    pub fn compile_module<'c>(
        &self,
        env: &(dyn ModuleEnv + Sync),
        bodies: impl Iterator<Item = (&'c FuncType, &'c Code<'c>)>,
        threads: usize,
    ) -> CompiledModule {
        let bodies: Vec<_> = bodies.collect();
        let code_bytes: usize = bodies.iter().map(|(_, c)| c.body.bytes.len()).sum();
        let threads = if code_bytes < PARALLEL_MIN_BYTES {
            1
        } else {
            threads.clamp(1, bodies.len().max(1))
        };
        let next = AtomicUsize::new(0);
        let work = || {
            let mut fctx = FunctionBuilderContext::new();
            let mut ctx = Context::new();
            let mut done = Vec::new();
            loop {
                let def = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(ty, code)) = bodies.get(def) else {
                    return done;
                };
                let r = self.compile_func(&mut fctx, &mut ctx, env, def as u32, ty, code);
                done.push((def, r));
            }
        };
        let mut machine: Vec<Option<Result<Machine, String>>> = vec![None; bodies.len()];
        let mut collect = |done: Vec<(usize, Result<Machine, String>)>| {
            for (def, r) in done {
                machine[def] = Some(r);
            }
        };
        if threads == 1 {
            collect(work());
        } else {
            std::thread::scope(|scope| {
                let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
                collect(work());
                for h in helpers {
                    // A panicking compiler thread leaves its functions
                    // unset: they are declined below.
                    if let Ok(done) = h.join() {
                        collect(done);
                    }
                }
            });
        }
        let mut bytes = Vec::new();
        let mut srclocs = SrcLocs::default();
        let mut body_at = vec![0; machine.len()];
        let mut funcs: Vec<Result<usize, String>> = machine
            .into_iter()
            .enumerate()
            .map(|(def, r)| {
                let machine = r.unwrap_or_else(|| Err("internal error: not compiled".into()))?;
                while bytes.len() % 16 != 0 {
                    bytes.push(0);
                }
                let at = bytes.len();
                bytes.extend_from_slice(&machine.code);
                srclocs.add(at, &machine.srclocs);
                body_at[def] = machine.body_at;
                Ok(at)
            })
            .collect();
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
        CompiledModule {
            code,
            funcs,
            body_at,
            srclocs,
        }
    }

    /// Compiles defined function `def` of a validated module into its own
    /// executable mapping.
    pub fn compile_function(
        &self,
        env: &dyn ModuleEnv,
        def: u32,
        ty: &FuncType,
        code: &Code<'_>,
    ) -> Result<NativeFunc, String> {
        let mut fctx = FunctionBuilderContext::new();
        let mut ctx = Context::new();
        let machine = self.compile_func(&mut fctx, &mut ctx, env, def, ty, code)?;
        let code = CodeMemory::new(&machine.code).ok_or("no executable memory")?;
        Ok(NativeFunc {
            code,
            srclocs: SrcLocs(machine.srclocs),
            body_at: machine.body_at,
        })
    }

    /// The machine code of the runtime trampoline of function type `ty`:
    /// the body that a [`vmctx::VMFuncRef`] of a function without machine
    /// code points to (see [`vmctx::VMFuncRef::body`]); position
    /// independent, for the caller to place in a [`CodeMemory`]. An error
    /// if compiled code cannot call functions of this type (it then
    /// declines such calls).
    pub fn runtime_trampoline(&self, ty: &FuncType) -> Result<Vec<u8>, String> {
        let fc = self.isa.frontend_config();
        let mut ctx = Context::new();
        ctx.func = Function::with_name_signature(
            UserFuncName::user(2, 0),
            translate::body_signature(fc.pointer_type(), ty)?,
        );
        let mut fctx = FunctionBuilderContext::new();
        let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        translate::runtime_trampoline(b, ty, fc)?;
        let compiled = ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| format!("cranelift: {:?}", e.inner))?;
        if !compiled.buffer.relocs().is_empty() {
            return Err("internal error: a trampoline with relocations".into());
        }
        Ok(compiled.code_buffer().to_vec())
    }

    fn compile_func(
        &self,
        fctx: &mut FunctionBuilderContext,
        ctx: &mut Context,
        env: &dyn ModuleEnv,
        def: u32,
        ty: &FuncType,
        code: &Code<'_>,
    ) -> Result<Machine, String> {
        let fc = self.isa.frontend_config();
        // The body first, then the entry point's trampoline, which calls it.
        ctx.clear();
        ctx.func = Function::with_name_signature(
            UserFuncName::user(0, def),
            translate::body_signature(fc.pointer_type(), ty)?,
        );
        let b = FunctionBuilder::new(&mut ctx.func, fctx);
        if let Err(e) = translate::translate(b, env, def, ty, code, fc) {
            // A declined function leaves the builder's context half-used
            // (it is only cleared by `finalize`); the next function needs a
            // clean one.
            *fctx = FunctionBuilderContext::new();
            return Err(e);
        }
        let compiled = ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| format!("cranelift: {:?}", e.inner))?;
        if !compiled.buffer.relocs().is_empty() {
            return Err("needs relocations (a libcall)".into());
        }
        // The stack check allows one frame past the limit (see `vmctx`).
        let frame = compiled
            .buffer
            .frame_layout()
            .map_or(0, |l| l.frame_to_fp_offset);
        if frame > vmctx::MAX_FRAME {
            return Err(format!("a frame of {frame} bytes"));
        }
        let body_code = compiled.code_buffer().to_vec();
        let body_srclocs: Vec<(u32, u32, u32)> = compiled
            .buffer
            .get_srclocs_sorted()
            .iter()
            .filter(|l| !l.loc.is_default())
            .map(|l| (l.start, l.end, l.loc.bits()))
            .collect();

        ctx.clear();
        ctx.func = Function::with_name_signature(
            UserFuncName::user(1, def),
            translate::entry_signature(fc.pointer_type(), fc.default_call_conv),
        );
        let body_name = ExternalName::User(
            ctx.func
                .declare_imported_user_function(UserExternalName::new(0, def)),
        );
        let b = FunctionBuilder::new(&mut ctx.func, fctx);
        translate::entry_trampoline(b, ty, body_name, fc)?;
        let compiled = ctx
            .compile(&*self.isa, &mut ControlPlane::default())
            .map_err(|e| format!("cranelift: {:?}", e.inner))?;
        let mut code = compiled.code_buffer().to_vec();
        while code.len() % 16 != 0 {
            code.push(0);
        }
        let body_at = code.len();
        // The trampoline's one relocation: its call of the body, which
        // follows it in the same code (so the displacement is known now).
        for r in compiled.buffer.relocs() {
            if r.kind != Reloc::X86CallPCRel4 {
                return Err(format!("unexpected relocation {:?}", r.kind));
            }
            let at = r.offset as usize;
            let disp = i32::try_from(body_at as i64 + r.addend - at as i64)
                .map_err(|_| "trampoline too far from its body")?;
            code[at..at + 4].copy_from_slice(&disp.to_le_bytes());
        }
        code.extend_from_slice(&body_code);
        let body_at = body_at as u32;
        let srclocs = body_srclocs
            .into_iter()
            .map(|(start, end, loc)| (start + body_at, end + body_at, loc))
            .collect();
        Ok(Machine {
            code,
            srclocs,
            body_at,
        })
    }
}
