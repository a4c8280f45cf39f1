//! Translation of one validated function body into Cranelift IR.
//!
//! The body is read with the same instruction reader the validator and the
//! interpreter's translator use, and each instruction goes to the method of
//! [`Lower`] named after its row in the instruction table (see `lower.rs`).
//!
//! The operand stack holds SSA values; locals are Cranelift variables.
//! Blocks and loops map to Cranelift blocks whose parameters carry the
//! branch values; `if` and `else` arms use the values of the enclosing
//! block directly (they dominate both arms).
//!
//! Traps do not unwind: a trapping instruction branches to a cold block that
//! records the trap through the runtime ([`crate::vmctx::Libcalls::trap`])
//! and returns status 1; every call checks its callee's status and returns
//! 1 in turn, after adding its frame to the backtrace. Bounds are checked
//! explicitly against the memory's current length; the base is loaded
//! once per function, as a memory's base never moves.

mod simd;

use crate::lower::{dispatch, opens_block, Lower, Result};
use crate::vmctx::{offsets, GlobalsLayout, TrapKind, MAX_CALL_SLOT_BYTES};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::types::{
    F32, F32X4, F64, F64X2, I16, I16X8, I32, I32X4, I64, I64X2, I8, I8X16,
};
use cranelift_codegen::ir::{
    AbiParam, Block, BlockArg, ConstantData, Inst, InstBuilder, JumpTableData, MemFlagsData,
    Signature, StackSlotData, StackSlotKind, Type, Value,
};
use cranelift_codegen::ir::{SigRef, SourceLoc};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, Variable};
use simd::{Ext, Half, Shift};
use weft_binary::Reader;
use weft_syntax::{
    BlockType, BrTable, Code, DataIdx, ElemIdx, Features, FuncIdx, FuncType, GlobalIdx, HeapType,
    Instr, LabelIdx, LaneIdx, LocalIdx, MemArg, MemIdx, RefType, ShuffleLanes, TableIdx, TypeIdx,
    ValType, V128,
};

/// What the compiler needs to know about the module of the function.
pub trait ModuleEnv {
    /// The type of function `func` (imports first).
    fn func_type(&self, func: FuncIdx) -> &FuncType;
    /// The function type at type index `ty`.
    fn type_at(&self, ty: TypeIdx) -> Option<&FuncType>;
    /// The value type of global `global`.
    fn global_type(&self, global: GlobalIdx) -> ValType;
    /// Where the runtime keeps global values.
    fn globals_layout(&self) -> GlobalsLayout;
    /// The proposals the module was validated with.
    fn features(&self) -> Features;
    /// Whether the code counts fuel (at the interpreter's points).
    fn consume_fuel(&self) -> bool;
    /// Whether memory 0 has guard pages: a 32-bit memory whose reservation
    /// covers every `u32` address plus `u32` offset plus access size, all
    /// inaccessible past its length, and a runtime that turns a fault of
    /// compiled code there into an out-of-bounds trap. Accesses are then
    /// not bounds-checked.
    fn memory_guards(&self) -> bool;
    /// Whether the code checks the epoch deadline (at fuel's points).
    fn epoch_interruption(&self) -> bool {
        false
    }
    /// How many of the module's functions are imports (they come first in
    /// the function index space).
    fn imported_funcs(&self) -> u32;
    /// Whether `return_call` and `return_call_indirect` may be compiled:
    /// not where a chain of tail calls could alternate between compiled
    /// and interpreted functions of the module, since each such round trip
    /// nests native frames (through the runtime), where the interpreter's
    /// run in constant space.
    fn compiles_tail_calls(&self) -> bool {
        true
    }
}

/// The Cranelift type of a value type the compiler handles.
fn clif_type(t: ValType) -> Result<Type> {
    match t {
        ValType::I32 => Ok(I32),
        ValType::I64 => Ok(I64),
        ValType::F32 => Ok(F32),
        ValType::F64 => Ok(F64),
        // Lanes are typed by each instruction (see `simd.rs`).
        ValType::V128 => Ok(I8X16),
        // In slot encoding: 0 for null, else the store's index plus one.
        // Typed function references too: a concrete heap type is a
        // function type (modules with struct or array types are declined
        // whole, see `weft`'s `memories_beyond_compiler`).
        ValType::Ref(r) => match (r.heap.abstract_top(), r.heap) {
            (Some(HeapType::Func | HeapType::Extern), _) | (None, HeapType::Concrete(_)) => Ok(I64),
            _ => Err("3.0 reference types".into()),
        },
    }
}

fn clif_types(ts: &[ValType]) -> Result<Vec<Type>> {
    ts.iter().map(|&t| clif_type(t)).collect()
}

fn args(vals: &[Value]) -> Vec<BlockArg> {
    vals.iter().map(|&v| BlockArg::Value(v)).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CtrlKind {
    Block,
    Loop,
    If,
    Else,
}

/// An open block, loop or if.
struct Ctrl {
    kind: CtrlKind,
    /// Where `end` continues; its parameters are the results.
    next: Block,
    /// The loop header (parameters: the loop's parameters), for branches
    /// to a loop.
    header: Option<Block>,
    /// The `else` arm of an `if`, not yet begun.
    else_block: Option<Block>,
    /// The `if`'s parameter values, for the `else` arm.
    if_params: Vec<Value>,
    /// Stack height below the parameters.
    height: usize,
    params: Vec<Type>,
    results: Vec<Type>,
    /// Whether a branch targets this label (or, for an `if` with `else`,
    /// the `then` arm reaches its end): code after `end` is reachable then.
    used: bool,
}

impl Ctrl {
    /// The block a branch to this label goes to and the types it carries.
    fn target(&self) -> (Block, &[Type]) {
        match self.header {
            Some(h) => (h, &self.params),
            None => (self.next, &self.results),
        }
    }
}

/// The state of one function's translation.
pub(crate) struct FuncTranslator<'a, 'b> {
    b: FunctionBuilder<'b>,
    env: &'a dyn ModuleEnv,
    /// This function's index among the defined functions (for traps).
    def: u32,
    vmctx: Value,
    stack: Vec<Value>,
    ctrls: Vec<Ctrl>,
    locals: Vec<(Variable, Type)>,
    /// The function's exit: parameters are the results.
    exit: Block,
    results: Vec<Type>,
    reachable: bool,
    dead_depth: u32,
    /// Cold blocks that raise each trap kind, made on first use; their
    /// parameter is the module offset of the trapping instruction.
    trap_blocks: [Option<Block>; TrapKind::ALL.len()],
    /// The block that returns status 1 after adding this frame; its
    /// parameter is the module offset of the failed call.
    fail_block: Option<Block>,
    /// Cold blocks, one per trap or call site, that jump to a trap block
    /// (`Some(kind)`) or the fail block (`None`) with the site's offset:
    /// the constant stays off the path that does not trap.
    sites: Vec<(Block, Option<TrapKind>, u32)>,
    /// The module offset of the Wasm instruction being translated.
    at: u32,
    /// Memory 0's descriptor and base, loaded in the entry block.
    mem: Option<(Value, Value)>,
    /// Flags for accesses to the context, slots and stack (aligned, no trap).
    trusted: MemFlagsData,
    /// Flags for the context's fields that never change once compiled code
    /// can run (memory 0's descriptor and base, the store context, the
    /// arrays of function references and indices, the runtime's
    /// functions): loads the optimizer may share, hoist or drop.
    fixed: MemFlagsData,
    /// Flags for linear-memory accesses (unaligned; bounds checked before,
    /// or, with guard pages, trapping: never moved or removed).
    heap: MemFlagsData,
    /// Memory 0 has guard pages ([`ModuleEnv::memory_guards`]).
    guards: bool,
    /// Signatures of the runtime's functions.
    sigs: Sigs,
    /// Signatures of the other runtime functions and of callees' bodies,
    /// made on first use.
    runtime_sigs: Vec<(CallConv, Vec<Type>, Vec<Type>, SigRef)>,
    /// The signature of the epoch stub (`epoch_stub.rs`), imported on
    /// first use.
    epoch_stub_sig: Option<SigRef>,
    cc: CallConv,
    /// With fuel: the charge of the open fuel point (its `iconst`, and the
    /// instructions counted so far), and the closed ones.
    /// A point in dead code has no `iconst` (it is never charged, but
    /// counts the `end` or `else` that closes the dead code, as the
    /// interpreter's does).
    fuel_site: Option<(Option<Inst>, u32)>,
    fuel_sites: Vec<(Option<Inst>, u32)>,
    fuel: bool,
    /// Whether fuel's points also check the epoch deadline.
    epoch: bool,
}

struct Sigs {
    call_indirect: cranelift_codegen::ir::SigRef,
    trap: cranelift_codegen::ir::SigRef,
    frame: cranelift_codegen::ir::SigRef,
    memory_grow: cranelift_codegen::ir::SigRef,
}

/// The signature of compiled functions' entry points (see
/// [`crate::vmctx::EntryFn`]): the array convention.
pub(crate) fn entry_signature(ptr: Type, cc: cranelift_codegen::isa::CallConv) -> Signature {
    sig(cc, &[ptr, ptr], &[I32])
}

/// The signature of a compiled function of type `ty`'s body, which
/// compiled callers call directly (see [`crate::vmctx::VMFuncRef::body`]):
/// the callee's context, the callee's function reference (which only a
/// runtime trampoline reads) and the parameters; the status (as
/// [`entry_signature`]'s) and the results, which are meaningless with a
/// status of 1.
pub(crate) fn body_signature(ptr: Type, ty: &FuncType) -> Result<Signature> {
    let params: Vec<Type> = [ptr, ptr]
        .into_iter()
        .chain(clif_types(&ty.params)?)
        .collect();
    let results: Vec<Type> = std::iter::once(I32)
        .chain(clif_types(&ty.results)?)
        .collect();
    Ok(sig(BODY_CALL_CONV, &params, &results))
}

/// The calling convention of bodies (and runtime trampolines): Cranelift's
/// `tail`, which keeps the System V convention's callee-saved registers
/// and allows `return_call`, for Wasm's tail calls (a tail call replaces
/// the caller's frame, so that a loop of them runs in constant stack).
/// Entry points and runtime calls keep the platform's convention.
const BODY_CALL_CONV: CallConv = CallConv::Tail;

/// Builds the entry point of a compiled function of type `ty` (the array
/// convention, [`entry_signature`]): reads the parameters from the slots,
/// calls the body (`body`, a colocated function the caller places in the
/// same code), writes the results back and returns the body's status.
pub(crate) fn entry_trampoline(
    mut b: FunctionBuilder<'_>,
    ty: &FuncType,
    body: cranelift_codegen::ir::ExternalName,
    fc: TargetFrontendConfig,
) -> Result<()> {
    let ptr = fc.pointer_type();
    let params = clif_types(&ty.params)?;
    let results = clif_types(&ty.results)?;
    let sig_ref = b.import_signature(body_signature(ptr, ty)?);
    let callee = b.import_function(cranelift_codegen::ir::ExtFuncData {
        name: body,
        signature: sig_ref,
        colocated: true,
        patchable: false,
    });
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let vmctx = b.block_params(entry)[0];
    let slots = b.block_params(entry)[1];
    // A compiled body does not read its function reference.
    let no_ref = b.ins().iconst(ptr, 0);
    let mut args = vec![vmctx, no_ref];
    let (at, _) = slot_offsets(&params);
    for (&t, at) in params.iter().zip(at) {
        args.push(load_slot(&mut b, t, slots, at));
    }
    let call = b.ins().call(callee, &args);
    let rets = b.inst_results(call).to_vec();
    let (at, _) = slot_offsets(&results);
    for (&v, at) in rets[1..].iter().zip(at) {
        store_slot(&mut b, v, slots, at);
    }
    b.ins().return_(&rets[..1]);
    b.seal_all_blocks();
    b.finalize(fc);
    Ok(())
}

/// Builds the runtime trampoline of type `ty` (see
/// [`crate::vmctx::VMFuncRef::body`]): a body that calls
/// [`crate::vmctx::Libcalls::call`] with the parameters in a slot array on
/// its frame, and returns the status and the results from it. It runs
/// with the caller's context (the caller passes its own when the
/// reference has none) and passes its frame pointer, from which the
/// runtime finds the caller's frame.
pub(crate) fn runtime_trampoline(
    mut b: FunctionBuilder<'_>,
    ty: &FuncType,
    fc: TargetFrontendConfig,
) -> Result<()> {
    let (ptr, cc) = (fc.pointer_type(), fc.default_call_conv);
    let params = clif_types(&ty.params)?;
    let results = clif_types(&ty.results)?;
    let (param_at, param_bytes) = slot_offsets(&params);
    let (result_at, result_bytes) = slot_offsets(&results);
    let bytes = param_bytes.max(result_bytes).max(8);
    if bytes > MAX_CALL_SLOT_BYTES {
        return Err(format!(
            "more than {MAX_CALL_SLOT_BYTES} bytes of arguments or results"
        ));
    }
    let call_sig = b.import_signature(sig(cc, &[ptr, ptr, ptr, ptr], &[I32]));
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let vmctx = b.block_params(entry)[0];
    let func_ref = b.block_params(entry)[1];
    let args = b.block_params(entry)[2..].to_vec();
    let slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        bytes as u32,
        3,
    ));
    let slots = b.ins().stack_addr(ptr, slot, 0);
    for (&v, at) in args.iter().zip(param_at) {
        store_slot(&mut b, v, slots, at);
    }
    let fixed = MemFlagsData::trusted().with_readonly().with_can_move();
    let f = b.ins().load(ptr, fixed, vmctx, offsets::CALL);
    let fp = b.ins().get_frame_pointer(ptr);
    let call = b
        .ins()
        .call_indirect(call_sig, f, &[vmctx, func_ref, slots, fp]);
    let mut rets = vec![b.inst_results(call)[0]];
    for (&t, at) in results.iter().zip(result_at) {
        rets.push(load_slot(&mut b, t, slots, at));
    }
    b.ins().return_(&rets);
    b.seal_all_blocks();
    b.finalize(fc);
    Ok(())
}

fn sig(cc: cranelift_codegen::isa::CallConv, params: &[Type], results: &[Type]) -> Signature {
    let mut s = Signature::new(cc);
    s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    s.returns.extend(results.iter().map(|&t| AbiParam::new(t)));
    s
}

/// Translates the body `code` of defined function `def`, of type `ty`, into
/// `b` (whose function has the entry signature).
pub(crate) fn translate(
    mut b: FunctionBuilder<'_>,
    env: &dyn ModuleEnv,
    def: u32,
    ty: &FuncType,
    code: &Code<'_>,
    fc: TargetFrontendConfig,
) -> Result<()> {
    let (ptr, cc) = (fc.pointer_type(), fc.default_call_conv);
    let params = clif_types(&ty.params)?;
    let results = clif_types(&ty.results)?;
    let sigs = Sigs {
        call_indirect: b.import_signature(sig(cc, &[ptr, I32, I32, I32, ptr], &[I32])),
        trap: b.import_signature(sig(cc, &[ptr, I32, I32, I32], &[])),
        frame: b.import_signature(sig(cc, &[ptr, I32, I32], &[])),
        memory_grow: b.import_signature(sig(cc, &[ptr, I32], &[I64])),
    };
    let trusted = MemFlagsData::trusted();
    let fixed = trusted.with_readonly().with_can_move();
    let guards = env.memory_guards();
    let heap = if guards {
        MemFlagsData::new()
    } else {
        MemFlagsData::new().with_notrap()
    };

    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let vmctx = b.block_params(entry)[0];
    // Parameter 1, the function reference, is for runtime trampolines.
    let args = b.block_params(entry)[2..].to_vec();

    // Parameters are the body's; declared locals start at zero.
    let mut locals = Vec::new();
    for (&t, v) in params.iter().zip(args) {
        let var = b.declare_var(t);
        b.def_var(var, v);
        locals.push((var, t));
    }
    for run in &code.locals {
        let t = clif_type(run.ty)?;
        if locals.len() + run.count as usize > 50_000 {
            return Err("more than 50,000 locals".into());
        }
        for _ in 0..run.count {
            let var = b.declare_var(t);
            let zero = zero(&mut b, t);
            b.def_var(var, zero);
            locals.push((var, t));
        }
    }
    let mem_def = b.ins().load(ptr, fixed, vmctx, offsets::MEMORY0);
    let base = b.ins().load(ptr, fixed, mem_def, offsets::MEMORY_BASE);
    let mem = Some((mem_def, base));
    // The stack limit (see `vmctx`): checked before anything else runs.
    let store_ctx = b.ins().load(ptr, fixed, vmctx, offsets::STORE_CTX);
    let limit = b.ins().load(ptr, trusted, store_ctx, offsets::STACK_LIMIT);
    let sp = b.ins().get_stack_pointer(ptr);
    let exhausted = b.ins().icmp(IntCC::UnsignedLessThan, sp, limit);

    let exit = b.create_block();
    for &t in &results {
        b.append_block_param(exit, t);
    }
    let mut t = FuncTranslator {
        b,
        env,
        def,
        vmctx,
        stack: Vec::new(),
        ctrls: Vec::new(),
        locals,
        exit,
        results: results.clone(),
        reachable: true,
        dead_depth: 0,
        trap_blocks: Default::default(),
        fail_block: None,
        sites: Vec::new(),
        at: code.body.offset as u32,
        mem,
        trusted,
        fixed,
        heap,
        guards,
        sigs,
        runtime_sigs: Vec::new(),
        epoch_stub_sig: None,
        cc,
        fuel_site: None,
        fuel_sites: Vec::new(),
        fuel: env.consume_fuel(),
        epoch: env.epoch_interruption(),
    };
    t.ctrls.push(Ctrl {
        kind: CtrlKind::Block,
        next: exit,
        header: None,
        else_block: None,
        if_params: Vec::new(),
        height: 0,
        params: Vec::new(),
        results,
        used: false,
    });
    t.trap_if(exhausted, TrapKind::StackOverflow);
    t.fuel_point();
    let mut r = Reader::new_at(&code.body.bytes, code.body.offset, env.features());
    while !t.ctrls.is_empty() {
        t.at = r.offset() as u32;
        // Machine code maps back to this offset (for faults).
        t.b.set_srcloc(SourceLoc::new(t.at));
        let instr = r.read_instr().map_err(|e| e.to_string())?;
        if !t.reachable {
            // Dead code is skipped unlowered (its operand stack is
            // polymorphic), counting the blocks it opens (every row with a
            // block type, `opens_block`) to find the `end` or `else` that
            // makes code reachable again.
            if opens_block(&instr) {
                t.dead_depth += 1;
                continue;
            }
            let is_end = matches!(instr, Instr::End {});
            if t.dead_depth > 0 {
                t.dead_depth -= u32::from(is_end);
                continue;
            }
            if !is_end && !matches!(instr, Instr::Else {}) {
                continue;
            }
        }
        if let Some((_, n)) = &mut t.fuel_site {
            *n = n.saturating_add(1);
        }
        dispatch(&mut t, instr)?;
    }
    t.patch_fuel_points();
    t.emit_cold_blocks();
    // The exit: status 0 and the results.
    let b = &mut t.b;
    b.switch_to_block(exit);
    let ok = b.ins().iconst(I32, 0);
    let vals: Vec<Value> = std::iter::once(ok)
        .chain(b.block_params(exit).iter().copied())
        .collect();
    b.ins().return_(&vals);
    b.seal_all_blocks();
    t.b.finalize(fc);
    Ok(())
}

fn zero(b: &mut FunctionBuilder<'_>, t: Type) -> Value {
    match t {
        F32 => b.ins().f32const(Ieee32::with_bits(0)),
        F64 => b.ins().f64const(Ieee64::with_bits(0)),
        I8X16 => simd::vconst(b, [0; 16]),
        _ => b.ins().iconst(t, 0),
    }
}

/// The byte offsets of values of types `ts` in a slot array, laid out as
/// the interpreter lays out a frame (one 8-byte slot each, two for a
/// v128), and the array's size in bytes.
fn slot_offsets(ts: &[Type]) -> (Vec<i32>, i32) {
    let mut at = 0;
    let offsets = ts
        .iter()
        .map(|t| {
            let here = at;
            at += if t.is_vector() { 16 } else { 8 };
            here
        })
        .collect();
    (offsets, at)
}

/// Slot arrays are 8-byte aligned: a v128 in one is accessed unaligned.
fn slot_flags(t: Type) -> MemFlagsData {
    if t.is_vector() {
        MemFlagsData::new().with_notrap()
    } else {
        MemFlagsData::trusted()
    }
}

/// Writes `v` to the slot array at `base` + `at`, in slot encoding.
fn store_slot(b: &mut FunctionBuilder<'_>, v: Value, base: Value, at: i32) {
    let t = b.func.dfg.value_type(v);
    let v = if t.is_vector() { v } else { to_bits(b, v) };
    b.ins().store(slot_flags(t), v, base, at);
}

/// Reads a value of type `t` from the slot array at `base` + `at`.
fn load_slot(b: &mut FunctionBuilder<'_>, t: Type, base: Value, at: i32) -> Value {
    if t.is_vector() {
        return b.ins().load(t, slot_flags(t), base, at);
    }
    let bits = b.ins().load(I64, slot_flags(t), base, at);
    from_bits(b, bits, t)
}

/// A value in slot encoding (an i64 with i32 and f32 bits zero-extended).
fn to_bits(b: &mut FunctionBuilder<'_>, v: Value) -> Value {
    let t = b.func.dfg.value_type(v);
    match t {
        I32 => b.ins().uextend(I64, v),
        I64 => v,
        F32 => {
            let i = b.ins().bitcast(I32, MemFlagsData::new(), v);
            b.ins().uextend(I64, i)
        }
        _ => b.ins().bitcast(I64, MemFlagsData::new(), v),
    }
}

/// A value of type `t` from slot encoding.
fn from_bits(b: &mut FunctionBuilder<'_>, bits: Value, t: Type) -> Value {
    match t {
        I32 => b.ins().ireduce(I32, bits),
        I64 => bits,
        F32 => {
            let i = b.ins().ireduce(I32, bits);
            b.ins().bitcast(F32, MemFlagsData::new(), i)
        }
        _ => b.ins().bitcast(F64, MemFlagsData::new(), bits),
    }
}

impl FuncTranslator<'_, '_> {
    /// The Cranelift variable that holds `local` (validation checked the index).
    fn local_var(&self, local: LocalIdx) -> Result<Variable> {
        self.locals
            .get(local.index())
            .map(|&(var, _)| var)
            .ok_or_else(|| "internal error: local".into())
    }

    fn pop(&mut self) -> Result<Value> {
        self.stack
            .pop()
            .ok_or_else(|| "internal error: operand stack underflow".into())
    }

    fn popn(&mut self, n: usize) -> Result<Vec<Value>> {
        let at = self
            .stack
            .len()
            .checked_sub(n)
            .ok_or("internal error: operand stack underflow")?;
        Ok(self.stack.split_off(at))
    }

    fn push(&mut self, v: Value) -> Result<()> {
        self.stack.push(v);
        Ok(())
    }

    fn un(&mut self, f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value) -> Result<()> {
        let x = self.pop()?;
        let r = f(&mut self.b, x);
        self.push(r)
    }

    fn bin(
        &mut self,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value,
    ) -> Result<()> {
        let y = self.pop()?;
        let x = self.pop()?;
        let r = f(&mut self.b, x, y);
        self.push(r)
    }

    fn icmp(&mut self, cc: IntCC) -> Result<()> {
        self.bin(|b, x, y| {
            let c = b.ins().icmp(cc, x, y);
            b.ins().uextend(I32, c)
        })
    }

    fn fcmp(&mut self, cc: FloatCC) -> Result<()> {
        self.bin(|b, x, y| {
            let c = b.ins().fcmp(cc, x, y);
            b.ins().uextend(I32, c)
        })
    }

    fn eqz(&mut self) -> Result<()> {
        self.un(|b, x| {
            let c = b.ins().icmp_imm_s(IntCC::Equal, x, 0);
            b.ins().uextend(I32, c)
        })
    }

    /// Branches to the cold block of trap `kind` if `cond` is non-zero.
    fn trap_if(&mut self, cond: Value, kind: TrapKind) {
        let trap = self.site_block(Some(kind));
        let cont = self.b.create_block();
        self.b.ins().brif(cond, trap, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// A cold block for a trap (`Some(kind)`) or a failed call (`None`) at
    /// the current instruction (filled by `emit_cold_blocks`).
    fn site_block(&mut self, kind: Option<TrapKind>) -> Block {
        let blk = self.b.create_block();
        self.b.set_cold_block(blk);
        self.sites.push((blk, kind, self.at));
        blk
    }

    /// The cold block that raises trap `kind` (filled in by
    /// `emit_cold_blocks`, as the builder fills one block at a time).
    fn trap_block(&mut self, kind: TrapKind) -> Block {
        if let Some(blk) = self.trap_blocks[kind as usize] {
            return blk;
        }
        let blk = self.b.create_block();
        self.b.set_cold_block(blk);
        self.b.append_block_param(blk, I32);
        self.trap_blocks[kind as usize] = Some(blk);
        blk
    }

    /// The block that returns status 1 after adding this frame (filled in
    /// by `emit_cold_blocks`).
    fn fail_block(&mut self) -> Block {
        if let Some(blk) = self.fail_block {
            return blk;
        }
        let blk = self.b.create_block();
        self.b.set_cold_block(blk);
        self.b.append_block_param(blk, I32);
        self.fail_block = Some(blk);
        blk
    }

    /// Charges fuel here for the instructions up to the next fuel point
    /// (the interpreter's points: function entry, loop header, after a
    /// loop's `end`; the same count of instructions, so that a program
    /// runs out at the same instruction in either tier). The amount is
    /// patched in by `patch_fuel_points` once counted.
    fn fuel_point(&mut self) {
        if self.epoch && self.reachable {
            let ptr = self.b.func.dfg.value_type(self.vmctx);
            let b = &mut self.b;
            let sc = b
                .ins()
                .load(ptr, self.fixed, self.vmctx, offsets::STORE_CTX);
            // The counter's and the deadline's addresses do not change
            // while compiled code runs (the runtime sets them on each entry,
            // to the same ones for the same store): loaded once.
            let e = b.ins().load(ptr, self.fixed, sc, offsets::EPOCH);
            let d = b.ins().load(ptr, self.fixed, sc, offsets::EPOCH_DEADLINE);
            // An atomic load: a plain one would be merged with the entry's
            // by redundant-load elimination, and a loop would never see
            // the epoch move.
            let epoch = b.ins().atomic_load(I64, self.trusted, e);
            let deadline = b.ins().load(I64, self.trusted, d, 0);
            let late = b
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, epoch, deadline);
            // The runtime decides: a deadline callback (a profiler's
            // sample, say) and on, or the "interrupt" trap.
            let reached = b.create_block();
            b.set_cold_block(reached);
            let cont = b.create_block();
            b.ins().brif(late, reached, &[], cont, &[]);
            b.switch_to_block(reached);
            let fp = b.ins().get_frame_pointer(ptr);
            let def = self.index(self.def);
            let status = if crate::epoch_stub::IN_USE {
                // Through the stub that keeps every register (see
                // `epoch_stub.rs`); the status comes back in the store
                // context.
                let sig_ref = match self.epoch_stub_sig {
                    Some(s) => s,
                    None => {
                        let s = sig(CallConv::PreserveAll, &[ptr, I32, ptr], &[]);
                        let s = self.b.import_signature(s);
                        self.epoch_stub_sig = Some(s);
                        s
                    }
                };
                let f = self.libcall(offsets::EPOCH_STUB);
                self.b
                    .ins()
                    .call_indirect(sig_ref, f, &[self.vmctx, def, fp]);
                let b = &mut self.b;
                let sc = b
                    .ins()
                    .load(ptr, self.fixed, self.vmctx, offsets::STORE_CTX);
                b.ins().load(I32, self.trusted, sc, offsets::EPOCH_STATUS)
            } else {
                self.runtime_call(offsets::EPOCH_REACHED, &[I32, ptr], &[def, fp], &[I32])[0]
            };
            self.check_status(status);
            self.b.ins().jump(cont, &[]);
            self.b.switch_to_block(cont);
        }
        if !self.fuel {
            return;
        }
        if let Some(site) = self.fuel_site.take() {
            self.fuel_sites.push(site);
        }
        if !self.reachable {
            self.fuel_site = Some((None, 0));
            return;
        }
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let b = &mut self.b;
        let sc = b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::STORE_CTX);
        let p = b.ins().load(ptr, self.trusted, sc, offsets::FUEL);
        let fuel = b.ins().load(I64, self.trusted, p, 0);
        let amount = b.ins().iconst(I64, 0);
        let inst = b.func.dfg.value_def(amount).unwrap_inst();
        let short = b.ins().icmp(IntCC::UnsignedLessThan, fuel, amount);
        self.trap_if(short, TrapKind::OutOfFuel);
        let left = self.b.ins().isub(fuel, amount);
        self.b.ins().store(self.trusted, left, p, 0);
        self.fuel_site = Some((Some(inst), 0));
    }

    /// Writes each fuel point's count into its `iconst`.
    fn patch_fuel_points(&mut self) {
        let sites = self.fuel_sites.drain(..).chain(self.fuel_site.take());
        for (inst, n) in sites.collect::<Vec<_>>() {
            if let Some(inst) = inst {
                self.b.func.replace(inst).iconst(I64, i64::from(n));
            }
        }
    }

    /// Fills the site, trap and failure blocks that were used.
    fn emit_cold_blocks(&mut self) {
        for (blk, kind, at) in std::mem::take(&mut self.sites) {
            let target = match kind {
                Some(kind) => self.trap_block(kind),
                None => self.fail_block(),
            };
            self.b.switch_to_block(blk);
            let at = self.b.ins().iconst(I32, i64::from(at));
            self.b.ins().jump(target, &[BlockArg::Value(at)]);
        }
        for kind in TrapKind::ALL {
            let Some(blk) = self.trap_blocks[kind as usize] else {
                continue;
            };
            self.b.switch_to_block(blk);
            let at = self.b.block_params(blk)[0];
            let f = self.libcall(offsets::TRAP);
            let code = self.b.ins().iconst(I32, kind as i64);
            let def = self.b.ins().iconst(I32, i64::from(self.def));
            self.b
                .ins()
                .call_indirect(self.sigs.trap, f, &[self.vmctx, code, def, at]);
            self.return_failed();
        }
        if let Some(blk) = self.fail_block {
            self.b.switch_to_block(blk);
            let at = self.b.block_params(blk)[0];
            let f = self.libcall(offsets::FRAME);
            let def = self.b.ins().iconst(I32, i64::from(self.def));
            self.b
                .ins()
                .call_indirect(self.sigs.frame, f, &[self.vmctx, def, at]);
            self.return_failed();
        }
    }

    /// Returns status 1 (with zero results, which the caller ignores).
    fn return_failed(&mut self) {
        let one = self.b.ins().iconst(I32, 1);
        let mut vals = vec![one];
        for &t in &self.results {
            vals.push(zero(&mut self.b, t));
        }
        self.b.ins().return_(&vals);
    }

    /// The i32 result of a growth runtime call (see
    /// [`crate::vmctx::Libcalls::memory_grow`]), returning status 1 if it
    /// failed with an error.
    fn grow_result(&mut self, r: Value) -> Value {
        let failed = self.b.ins().ushr_imm_u(r, 32);
        self.check_status(failed);
        self.b.ins().ireduce(I32, r)
    }

    /// Returns status 1 (after adding this frame) if `status` is non-zero.
    fn check_status(&mut self, status: Value) {
        let fail = self.site_block(None);
        let cont = self.b.create_block();
        self.b.ins().brif(status, fail, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Calls the runtime function at context offset `offset`, whose
    /// parameters are the context and then `args` (of types `params`).
    fn runtime_call(
        &mut self,
        offset: i32,
        params: &[Type],
        args: &[Value],
        results: &[Type],
    ) -> Vec<Value> {
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let ps: Vec<Type> = std::iter::once(ptr).chain(params.iter().copied()).collect();
        let sig_ref = self.sig_ref(self.cc, ps, results);
        let f = self.libcall(offset);
        let a: Vec<Value> = std::iter::once(self.vmctx)
            .chain(args.iter().copied())
            .collect();
        let call = self.b.ins().call_indirect(sig_ref, f, &a);
        self.b.inst_results(call).to_vec()
    }

    /// `call` (with `tail`, `return_call`) of function `func`.
    fn call(&mut self, func: FuncIdx, tail: bool) -> Result<()> {
        if tail {
            self.tail_calls_compiled()?;
        }
        let ty = self.env.func_type(func).clone();
        let func_ref = self.func_ref_addr(func)?;
        let same_instance = func.0 >= self.env.imported_funcs();
        self.call_func(&ty, func_ref, same_instance, tail)
    }

    /// `call_indirect` (with `tail`, `return_call_indirect`) of type `ty`
    /// through table `table`.
    fn call_indirect(&mut self, ty: TypeIdx, table: TableIdx, tail: bool) -> Result<()> {
        if tail {
            self.tail_calls_compiled()?;
        }
        let ft = self
            .env
            .type_at(ty)
            .ok_or("internal error: call_indirect type")?
            .clone();
        let elem = self.pop()?;
        let func_ref = self.call_indirect_callee(table, ty, elem)?;
        self.call_func(&ft, func_ref, false, tail)
    }

    /// `call_ref` (with `tail`, `return_call_ref`) of type `ty`: the
    /// reference on top of the stack names its callee by its store index
    /// plus one, whose [`crate::vmctx::VMFuncRef`] is in the store's array
    /// (no type check: validation typed the reference).
    fn call_ref(&mut self, ty: TypeIdx, tail: bool) -> Result<()> {
        if tail {
            self.tail_calls_compiled()?;
        }
        let ft = self
            .env
            .type_at(ty)
            .ok_or("internal error: call_ref type")?
            .clone();
        let r = self.pop()?;
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let b = &mut self.b;
        // Null (0) wraps to the largest index and fails the bound; every
        // store function has an entry (`refresh` in `weft`), so only null
        // does.
        let sf = b.ins().iadd_imm_s(r, -1);
        let sc = b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::STORE_CTX);
        let count = b.ins().load(ptr, self.trusted, sc, offsets::FUNC_REFS_LEN);
        let outside = b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, sf, count);
        self.trap_if(outside, TrapKind::NullFunctionReference);
        let b = &mut self.b;
        let refs = b.ins().load(ptr, self.trusted, sc, offsets::FUNC_REFS);
        let at = b.ins().imul_imm_s(sf, i64::from(offsets::FUNC_REF_SIZE));
        let func_ref = b.ins().iadd(refs, at);
        self.call_func(&ft, func_ref, false, tail)
    }

    /// Declines a tail call where [`ModuleEnv::compiles_tail_calls`] says so.
    fn tail_calls_compiled(&self) -> Result<()> {
        if self.env.compiles_tail_calls() {
            Ok(())
        } else {
            Err("tail calls in a module with functions the compiler declines".into())
        }
    }

    /// The signature `params` -> `results` with calling convention `cc`
    /// in this function, imported on first use.
    fn sig_ref(&mut self, cc: CallConv, params: Vec<Type>, results: &[Type]) -> SigRef {
        let known = self
            .runtime_sigs
            .iter()
            .find(|(c, p, r, _)| *c == cc && *p == params && r == results)
            .map(|s| s.3);
        match known {
            Some(s) => s,
            None => {
                let s = self.b.import_signature(sig(cc, &params, results));
                self.runtime_sigs.push((cc, params, results.to_vec(), s));
                s
            }
        }
    }

    /// A runtime call that returns a status: on to the next instruction, or
    /// out of the function if it failed.
    fn runtime_op(&mut self, offset: i32, params: &[Type], args: &[Value]) {
        let r = self.runtime_call(offset, params, args, &[I32]);
        self.check_status(r[0]);
    }

    /// An immediate index as a value.
    fn index(&mut self, i: u32) -> Value {
        self.b.ins().iconst(I32, i64::from(i))
    }

    /// Pops `n` operands (the last popped first in the result).
    fn pop_args<const N: usize>(&mut self) -> Result<[Value; N]> {
        let v = self.popn(N)?;
        v.try_into()
            .map_err(|_| "internal error: operand stack underflow".into())
    }

    /// The runtime function at context offset `offset`.
    fn libcall(&mut self, offset: i32) -> Value {
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        self.b.ins().load(ptr, self.fixed, self.vmctx, offset)
    }

    /// Opens a block, loop or if of type `bt`; the parameters stay on the
    /// stack.
    fn enter(&mut self, kind: CtrlKind, bt: BlockType) -> Result<Ctrl> {
        let (params, results) = match bt {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Value(t) => (Vec::new(), vec![clif_type(t)?]),
            BlockType::Func(ty) => {
                let ft = self.env.type_at(ty).ok_or("internal error: block type")?;
                (clif_types(&ft.params)?, clif_types(&ft.results)?)
            }
        };
        let next = self.b.create_block();
        for &t in &results {
            self.b.append_block_param(next, t);
        }
        let height = self
            .stack
            .len()
            .checked_sub(params.len())
            .ok_or("internal error: operand stack underflow")?;
        Ok(Ctrl {
            kind,
            next,
            header: None,
            else_block: None,
            if_params: Vec::new(),
            height,
            params,
            results,
            used: false,
        })
    }

    /// Jumps to label `depth` with the values it takes from the stack top.
    fn branch_args(&mut self, depth: LabelIdx) -> Result<(Block, Vec<Value>)> {
        let i = self
            .ctrls
            .len()
            .checked_sub(1 + depth.index())
            .ok_or("internal error: label")?;
        self.ctrls[i].used = true;
        let (blk, types) = self.ctrls[i].target();
        let n = types.len();
        let at = self
            .stack
            .len()
            .checked_sub(n)
            .ok_or("internal error: operand stack underflow")?;
        Ok((blk, self.stack[at..].to_vec()))
    }

    fn finish_block(&mut self) {
        let cont = self.b.create_block();
        self.b.switch_to_block(cont);
        self.reachable = false;
    }

    /// The address of an access of `size` bytes at the popped address plus
    /// `offset`, after the bounds check (none with guard pages).
    fn address(&mut self, memarg: MemArg, size: u64) -> Result<Value> {
        if memarg.memory.index() != 0 {
            return Err("multiple memories".into());
        }
        let offset = u32::try_from(memarg.offset).map_err(|_| "64-bit offsets")?;
        let (mem_def, base) = self.mem.ok_or("internal error: no memory")?;
        let addr = self.pop()?;
        let addr = self.b.ins().uextend(I64, addr);
        if !self.guards {
            self.bounds_check(mem_def, addr, offset, size);
        }
        let b = &mut self.b;
        let at = b.ins().iadd(base, addr);
        Ok(if offset == 0 {
            at
        } else {
            b.ins().iadd_imm_s(at, i64::from(offset))
        })
    }

    /// Traps unless `addr + offset + size <= ` memory 0's length.
    fn bounds_check(&mut self, mem_def: Value, addr: Value, offset: u32, size: u64) {
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let b = &mut self.b;
        // addr + offset + size fits in 64 bits: no overflow.
        let end = b.ins().iadd_imm_s(addr, i64::from(offset) + size as i64);
        let len = b
            .ins()
            .load(ptr, self.trusted, mem_def, offsets::MEMORY_LEN);
        let oob = b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.trap_if(oob, TrapKind::MemoryOutOfBounds);
    }

    fn load(
        &mut self,
        memarg: MemArg,
        size: u64,
        f: impl FnOnce(&mut FunctionBuilder<'_>, MemFlagsData, Value) -> Value,
    ) -> Result<()> {
        let at = self.address(memarg, size)?;
        let v = f(&mut self.b, self.heap, at);
        self.push(v)
    }

    fn store(
        &mut self,
        memarg: MemArg,
        size: u64,
        f: impl FnOnce(&mut FunctionBuilder<'_>, MemFlagsData, Value, Value),
    ) -> Result<()> {
        let v = self.pop()?;
        let at = self.address(memarg, size)?;
        f(&mut self.b, self.heap, v, at);
        Ok(())
    }

    /// Integer division or remainder with the spec's traps (§4.3.2):
    /// zero divisor; for signed division, `MIN / -1`.
    fn div(&mut self, t: Type, signed: bool, rem: bool) -> Result<()> {
        let y = self.pop()?;
        let x = self.pop()?;
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
        self.trap_if(zero, TrapKind::IntegerDivisionByZero);
        let b = &mut self.b;
        let r = match (signed, rem) {
            (false, false) => b.ins().udiv(x, y),
            (false, true) => b.ins().urem(x, y),
            (true, false) => {
                let min = if t == I32 {
                    i64::from(i32::MIN)
                } else {
                    i64::MIN
                };
                let is_min = b.ins().icmp_imm_s(IntCC::Equal, x, min);
                let is_m1 = b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                let ovf = b.ins().band(is_min, is_m1);
                self.trap_if(ovf, TrapKind::IntegerOverflow);
                self.b.ins().sdiv(x, y)
            }
            (true, true) => {
                // x rem -1 is 0; dividing by 1 instead avoids the hardware
                // fault of MIN rem -1.
                let is_m1 = b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                let one = b.ins().iconst(t, 1);
                let y = b.ins().select(is_m1, one, y);
                b.ins().srem(x, y)
            }
        };
        self.push(r)
    }

    /// A trapping float-to-integer truncation (§4.3.3): NaN traps as an
    /// invalid conversion, values outside `(lo, hi)` (exclusive; `lo`
    /// inclusive when `lo_incl`) as an overflow.
    fn trunc(&mut self, to: Type, signed: bool, lo: f64, lo_incl: bool, hi: f64) -> Result<()> {
        let x = self.pop()?;
        let ft = self.b.func.dfg.value_type(x);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.trap_if(nan, TrapKind::BadConversionToInteger);
        let b = &mut self.b;
        let (lo, hi) = if ft == F32 {
            (
                b.ins().f32const(Ieee32::with_bits((lo as f32).to_bits())),
                b.ins().f32const(Ieee32::with_bits((hi as f32).to_bits())),
            )
        } else {
            (
                b.ins().f64const(Ieee64::with_bits(lo.to_bits())),
                b.ins().f64const(Ieee64::with_bits(hi.to_bits())),
            )
        };
        let lo_cc = if lo_incl {
            FloatCC::LessThan
        } else {
            FloatCC::LessThanOrEqual
        };
        let below = b.ins().fcmp(lo_cc, x, lo);
        let above = b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, hi);
        let out = b.ins().bor(below, above);
        self.trap_if(out, TrapKind::IntegerOverflow);
        let r = if signed {
            self.b.ins().fcvt_to_sint(to, x)
        } else {
            self.b.ins().fcvt_to_uint(to, x)
        };
        self.push(r)
    }

    /// The address of global `global`'s value: the store's globals array
    /// (through the store context, as it may move between calls) at the
    /// instance's store index for it.
    fn global_addr(&mut self, global: GlobalIdx) -> Result<Value> {
        let layout = self.env.globals_layout();
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let at = i32::try_from(u64::from(global.0) * 4).map_err(|_| "internal error: global")?;
        let b = &mut self.b;
        let indices = b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::GLOBAL_INDICES);
        let index = b.ins().load(I32, self.fixed, indices, at);
        let index = b.ins().uextend(ptr, index);
        let offset = b.ins().imul_imm_s(index, i64::from(layout.stride));
        let sc = b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::STORE_CTX);
        let base = b.ins().load(ptr, self.trusted, sc, offsets::GLOBALS);
        let entry = b.ins().iadd(base, offset);
        Ok(b.ins().iadd_imm_s(entry, i64::from(layout.value_offset)))
    }

    /// The address of function `func`'s [`crate::vmctx::VMFuncRef`] in the
    /// instance's context.
    fn func_ref_addr(&mut self, func: FuncIdx) -> Result<Value> {
        let at = i64::from(func.0)
            .checked_mul(i64::from(offsets::FUNC_REF_SIZE))
            .ok_or("internal error: function index")?;
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let funcs = self
            .b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::FUNCS);
        Ok(self.b.ins().iadd_imm_s(funcs, at))
    }

    /// The callee of `call_indirect` through element `elem` of table
    /// `table`, expected of type `ty`: the address of its
    /// [`crate::vmctx::VMFuncRef`]. The lookup is inline; anything but an
    /// element in bounds naming a function of the expected type (a null
    /// element, a mismatch, an index past the store's references) goes to
    /// the runtime, which raises the trap or (for a callee of a subtype,
    /// which needs no trap) writes the callee to a stack slot. Types are
    /// compared by id: the compiler declines modules with non-final types,
    /// so matching the expected type means being it.
    fn call_indirect_callee(&mut self, table: TableIdx, ty: TypeIdx, elem: Value) -> Result<Value> {
        let entry = |i: u32| i32::try_from(u64::from(i) * 4).map_err(|_| "internal error: index");
        let (table_at, type_at) = (entry(table.0)?, entry(ty.0)?);
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let flags = self.trusted;
        let found = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let done = self.b.create_block();
        let callee = self.b.append_block_param(done, ptr);
        let b = &mut self.b;
        let sc = b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::STORE_CTX);
        let indices = b
            .ins()
            .load(ptr, self.fixed, self.vmctx, offsets::TABLE_INDICES);
        let t = b.ins().load(I32, self.fixed, indices, table_at);
        let t = b.ins().uextend(ptr, t);
        let t = b.ins().imul_imm_s(t, i64::from(offsets::TABLE_DEF_SIZE));
        let tables = b.ins().load(ptr, flags, sc, offsets::TABLES);
        let def = b.ins().iadd(tables, t);
        let len = b.ins().load(ptr, flags, def, offsets::TABLE_LEN);
        let i = b.ins().uextend(ptr, elem);
        let inside = b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        let lookup = b.create_block();
        b.ins().brif(inside, lookup, &[], slow, &[]);

        b.switch_to_block(lookup);
        let elems = b.ins().load(ptr, flags, def, offsets::TABLE_ELEMS);
        let at = b.ins().ishl_imm_u(i, 3);
        let at = b.ins().iadd(elems, at);
        let r = b.ins().load(I64, flags, at, 0);
        // Null (0) wraps to the largest index and fails the bound.
        let sf = b.ins().iadd_imm_s(r, -1);
        let count = b.ins().load(ptr, flags, sc, offsets::FUNC_REFS_LEN);
        let known = b.ins().icmp(IntCC::UnsignedLessThan, sf, count);
        let typed = b.create_block();
        b.ins().brif(known, typed, &[], slow, &[]);

        b.switch_to_block(typed);
        let refs = b.ins().load(ptr, flags, sc, offsets::FUNC_REFS);
        let at = b.ins().imul_imm_s(sf, i64::from(offsets::FUNC_REF_SIZE));
        let fr = b.ins().iadd(refs, at);
        let id = b.ins().load(I32, flags, fr, offsets::FUNC_REF_TYPE_ID);
        let ids = b.ins().load(ptr, self.fixed, self.vmctx, offsets::TYPE_IDS);
        let expected = b.ins().load(I32, self.fixed, ids, type_at);
        let same = b.ins().icmp(IntCC::Equal, id, expected);
        b.ins().brif(same, found, &[], slow, &[]);

        b.switch_to_block(found);
        b.ins().jump(done, &[BlockArg::Value(fr)]);

        b.switch_to_block(slow);
        let slot = b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            offsets::FUNC_REF_SIZE as u32,
            3,
        ));
        let out = b.ins().stack_addr(ptr, slot, 0);
        let f = self.libcall(offsets::CALL_INDIRECT);
        let tab = self.b.ins().iconst(I32, i64::from(table.0));
        let tyi = self.b.ins().iconst(I32, i64::from(ty.0));
        let call = self.b.ins().call_indirect(
            self.sigs.call_indirect,
            f,
            &[self.vmctx, tab, tyi, elem, out],
        );
        let status = self.b.inst_results(call)[0];
        self.check_status(status);
        self.b.ins().jump(done, &[BlockArg::Value(out)]);

        self.b.switch_to_block(done);
        Ok(callee)
    }

    /// Calls the function of the [`crate::vmctx::VMFuncRef`] at
    /// `func_ref`, of type `ty`, with the arguments on the operand stack,
    /// through its body (machine code, or the runtime trampoline of its
    /// type for a function without). Pushes the results, or returns status
    /// 1 (after adding this frame) if the callee failed. With
    /// `same_instance` (a defined function of this module), the callee's
    /// context is this function's; otherwise the reference's, or this
    /// function's if it has none (the trampoline needs the caller's).
    /// With `tail`, a tail call: the callee returns (status and results)
    /// to this function's caller, in this function's frame.
    fn call_func(
        &mut self,
        ty: &FuncType,
        func_ref: Value,
        same_instance: bool,
        tail: bool,
    ) -> Result<()> {
        let params = clif_types(&ty.params)?;
        let results = clif_types(&ty.results)?;
        if slot_offsets(&params).1.max(slot_offsets(&results).1) > MAX_CALL_SLOT_BYTES {
            return Err(format!(
                "a call with more than {MAX_CALL_SLOT_BYTES} bytes of arguments or results"
            ));
        }
        let args = self.popn(params.len())?;
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let body_params: Vec<Type> = [ptr, ptr].into_iter().chain(params).collect();
        let body_results: Vec<Type> = std::iter::once(I32).chain(results).collect();
        let body_sig = self.sig_ref(BODY_CALL_CONV, body_params, &body_results);
        let b = &mut self.b;
        let body = b
            .ins()
            .load(ptr, self.trusted, func_ref, offsets::FUNC_REF_BODY);
        let callee = if same_instance {
            self.vmctx
        } else {
            let theirs = b
                .ins()
                .load(ptr, self.trusted, func_ref, offsets::FUNC_REF_VMCTX);
            b.ins().select(theirs, theirs, self.vmctx)
        };
        let a: Vec<Value> = [callee, func_ref].into_iter().chain(args).collect();
        if tail {
            b.ins().return_call_indirect(body_sig, body, &a);
            self.finish_block();
            return Ok(());
        }
        let call = b.ins().call_indirect(body_sig, body, &a);
        let vals = b.inst_results(call).to_vec();
        self.check_status(vals[0]);
        self.stack.extend_from_slice(&vals[1..]);
        Ok(())
    }
}

macro_rules! ops {
    (un: $($v:ident => $op:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.un(|b, x| b.ins().$op(x)) }
    )*};
    (bin: $($v:ident => $op:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.bin(|b, x, y| b.ins().$op(x, y)) }
    )*};
    (icmp: $($v:ident => $cc:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.icmp(IntCC::$cc) }
    )*};
    (fcmp: $($v:ident => $cc:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.fcmp(FloatCC::$cc) }
    )*};
    (conv: $($v:ident => $op:ident($t:ident);)*) => {$(
        fn $v(&mut self) -> Result<()> { self.un(|b, x| b.ins().$op($t, x)) }
    )*};
    (bitcast: $($v:ident => $t:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> {
            self.un(|b, x| b.ins().bitcast($t, MemFlagsData::new(), x))
        }
    )*};
    (extend: $($v:ident => $t:ident from $n:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> {
            self.un(|b, x| {
                let n = b.ins().ireduce($n, x);
                b.ins().sextend($t, n)
            })
        }
    )*};
    (div: $($v:ident => $t:ident, $signed:literal, $rem:literal;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.div($t, $signed, $rem) }
    )*};
    (trunc: $($v:ident => $t:ident, $signed:literal, $lo:expr, $incl:literal, $hi:expr;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.trunc($t, $signed, $lo, $incl, $hi) }
    )*};
    (load: $($v:ident => $size:literal, |$b:ident, $f:ident, $a:ident| $e:expr;)*) => {$(
        fn $v(&mut self, memarg: MemArg) -> Result<()> {
            self.load(memarg, $size, |$b, $f, $a| $e)
        }
    )*};
    (store: $($v:ident => $size:literal, $op:ident;)*) => {$(
        fn $v(&mut self, memarg: MemArg) -> Result<()> {
            self.store(memarg, $size, |b, f, v, a| { b.ins().$op(f, v, a, 0); })
        }
    )*};
}

/// The rows of 128-bit SIMD whose lowering is one lane operation.
macro_rules! simd_ops {
    (un: $($v:ident => $ty:ident, |$b:ident, $x:ident| $e:expr;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vun($ty, |$b, $x| $e) }
    )*};
    (bin: $($v:ident => $ty:ident, |$b:ident, $x:ident, $y:ident| $e:expr;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vbin($ty, |$b, $x, $y| $e) }
    )*};
    (tern: $($v:ident => $ty:ident, |$b:ident, $x:ident, $y:ident, $z:ident| $e:expr;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vtern($ty, |$b, $x, $y, $z| $e) }
    )*};
    (icmp: $($v:ident => $ty:ident, $cc:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vicmp($ty, IntCC::$cc) }
    )*};
    (fcmp: $($v:ident => $ty:ident, $cc:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vfcmp($ty, FloatCC::$cc) }
    )*};
    (test: $($v:ident => $ty:ident, |$b:ident, $x:ident| $e:expr;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vtest($ty, |$b, $x| $e) }
    )*};
    (shift: $($v:ident => $ty:ident, $kind:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.vshift($ty, Shift::$kind) }
    )*};
    (splat: $($v:ident => $ty:ident;)*) => {$(
        fn $v(&mut self) -> Result<()> { self.splat($ty) }
    )*};
    (extract: $($v:ident => $ty:ident, $ext:ident;)*) => {$(
        fn $v(&mut self, lane: LaneIdx) -> Result<()> { self.extract($ty, lane, Ext::$ext) }
    )*};
    (replace: $($v:ident => $ty:ident;)*) => {$(
        fn $v(&mut self, lane: LaneIdx) -> Result<()> { self.replace($ty, lane) }
    )*};
    (load: $($v:ident => $op:ident;)*) => {$(
        fn $v(&mut self, memarg: MemArg) -> Result<()> {
            let at = self.address(memarg, 8)?;
            let r = self.b.ins().$op(self.heap, at, 0);
            self.push_v(r)
        }
    )*};
    (load_splat: $($v:ident => $ty:ident;)*) => {$(
        fn $v(&mut self, memarg: MemArg) -> Result<()> { self.load_splat(memarg, $ty) }
    )*};
    (load_lane: $($v:ident => $ty:ident;)*) => {$(
        fn $v(&mut self, memarg: MemArg, lane: LaneIdx) -> Result<()> {
            self.load_lane(memarg, $ty, lane)
        }
    )*};
    (store_lane: $($v:ident => $ty:ident;)*) => {$(
        fn $v(&mut self, memarg: MemArg, lane: LaneIdx) -> Result<()> {
            self.store_lane(memarg, $ty, lane)
        }
    )*};
}

/// 2^31, 2^32, 2^63, 2^64 as floats (exact).
const P31: f64 = 2147483648.0;
const P32: f64 = 4294967296.0;
const P63: f64 = 9223372036854775808.0;
const P64: f64 = 18446744073709551616.0;

#[allow(non_snake_case)] // methods are named after the instruction table's variants
impl<'a> Lower<'a> for FuncTranslator<'_, '_> {
    // ---- control (§4.4.8) -------------------------------------------------

    fn Unreachable(&mut self) -> Result<()> {
        let blk = self.trap_block(TrapKind::Unreachable);
        let at = self.b.ins().iconst(I32, i64::from(self.at));
        self.b.ins().jump(blk, &[BlockArg::Value(at)]);
        self.finish_block();
        Ok(())
    }

    fn Nop(&mut self) -> Result<()> {
        Ok(())
    }

    fn Block(&mut self, block_type: BlockType) -> Result<()> {
        let c = self.enter(CtrlKind::Block, block_type)?;
        self.ctrls.push(c);
        Ok(())
    }

    fn Loop(&mut self, block_type: BlockType) -> Result<()> {
        let mut c = self.enter(CtrlKind::Loop, block_type)?;
        let header = self.b.create_block();
        for &t in &c.params {
            self.b.append_block_param(header, t);
        }
        let vals = self.popn(c.params.len())?;
        self.b.ins().jump(header, &args(&vals));
        self.b.switch_to_block(header);
        let params = self.b.block_params(header).to_vec();
        self.stack.extend(params);
        c.header = Some(header);
        self.ctrls.push(c);
        self.fuel_point();
        Ok(())
    }

    fn If(&mut self, block_type: BlockType) -> Result<()> {
        let cond = self.pop()?;
        let mut c = self.enter(CtrlKind::If, block_type)?;
        let then = self.b.create_block();
        let els = self.b.create_block();
        self.b.ins().brif(cond, then, &[], els, &[]);
        self.b.switch_to_block(then);
        c.else_block = Some(els);
        c.if_params = self.stack[c.height..].to_vec();
        self.ctrls.push(c);
        Ok(())
    }

    fn Else(&mut self) -> Result<()> {
        let c = self.ctrls.last_mut().ok_or("internal error: else")?;
        let els = c.else_block.take().ok_or("internal error: else")?;
        c.kind = CtrlKind::Else;
        let (next, height, n) = (c.next, c.height, c.results.len());
        let params = c.if_params.clone();
        if self.reachable {
            c.used = true;
            let vals = self.popn(n)?;
            self.b.ins().jump(next, &args(&vals));
        }
        self.stack.truncate(height);
        self.stack.extend(params);
        self.b.switch_to_block(els);
        self.reachable = true;
        Ok(())
    }

    fn End(&mut self) -> Result<()> {
        let c = self.ctrls.pop().ok_or("internal error: end")?;
        if self.reachable {
            let vals = self.popn(c.results.len())?;
            self.b.ins().jump(c.next, &args(&vals));
        }
        if let Some(els) = c.else_block {
            // An `if` without `else`: the parameters pass through.
            debug_assert!(c.kind == CtrlKind::If);
            self.b.switch_to_block(els);
            self.b.ins().jump(c.next, &args(&c.if_params));
        }
        // Reachable after `end` as the interpreter's translator says (so
        // that fuel counts the same instructions): an `if` without `else`
        // always, anything else if its end is reached or a branch targets
        // its label.
        let reachable = self.reachable || c.used || c.kind == CtrlKind::If;
        self.stack.truncate(c.height);
        self.b.switch_to_block(c.next);
        let results = self.b.block_params(c.next).to_vec();
        self.stack.extend(results);
        self.reachable = reachable;
        if c.kind == CtrlKind::Loop {
            self.fuel_point();
        }
        Ok(())
    }

    fn Br(&mut self, label: LabelIdx) -> Result<()> {
        let (blk, vals) = self.branch_args(label)?;
        self.b.ins().jump(blk, &args(&vals));
        self.finish_block();
        Ok(())
    }

    fn BrIf(&mut self, label: LabelIdx) -> Result<()> {
        let cond = self.pop()?;
        let (blk, vals) = self.branch_args(label)?;
        let cont = self.b.create_block();
        self.b.ins().brif(cond, blk, &args(&vals), cont, &[]);
        self.b.switch_to_block(cont);
        Ok(())
    }

    fn BrTable(&mut self, targets: BrTable<'a>) -> Result<()> {
        let index = self.pop()?;
        // One edge block per entry: each jumps to its label with the
        // values from the stack (which dominate the edges).
        let mut edges = Vec::new();
        let mut table = Vec::new();
        for label in targets.labels().chain(std::iter::once(targets.default)) {
            let e = self.b.create_block();
            edges.push((e, self.branch_args(label)?));
            table.push(self.b.func.dfg.block_call(e, &[]));
        }
        let default = table.pop().ok_or("internal error: br_table")?;
        let jt = self
            .b
            .create_jump_table(JumpTableData::new(default, &table));
        self.b.ins().br_table(index, jt);
        for (e, (blk, vals)) in edges {
            self.b.switch_to_block(e);
            self.b.ins().jump(blk, &args(&vals));
        }
        self.finish_block();
        Ok(())
    }

    fn Return(&mut self) -> Result<()> {
        let vals = self.popn(self.results.len())?;
        self.b.ins().jump(self.exit, &args(&vals));
        self.finish_block();
        Ok(())
    }

    fn Call(&mut self, func: FuncIdx) -> Result<()> {
        self.call(func, false)
    }

    fn ReturnCall(&mut self, func: FuncIdx) -> Result<()> {
        self.call(func, true)
    }

    fn CallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        self.call_indirect(ty, table, false)
    }

    fn ReturnCallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        self.call_indirect(ty, table, true)
    }

    fn CallRef(&mut self, ty: TypeIdx) -> Result<()> {
        self.call_ref(ty, false)
    }

    fn ReturnCallRef(&mut self, ty: TypeIdx) -> Result<()> {
        self.call_ref(ty, true)
    }

    // ---- parametric (§4.4.4) ----------------------------------------------

    fn Drop(&mut self) -> Result<()> {
        self.pop().map(|_| ())
    }

    fn Select(&mut self) -> Result<()> {
        let c = self.pop()?;
        self.bin(|b, x, y| b.ins().select(c, x, y))
    }

    fn TypedSelect(&mut self, ty: ValType) -> Result<()> {
        clif_type(ty)?;
        self.Select()
    }

    // ---- variables (§4.4.5) -----------------------------------------------

    fn LocalGet(&mut self, local: LocalIdx) -> Result<()> {
        let var = self.local_var(local)?;
        let v = self.b.use_var(var);
        self.push(v)
    }

    fn LocalSet(&mut self, local: LocalIdx) -> Result<()> {
        let v = self.pop()?;
        let var = self.local_var(local)?;
        self.b.def_var(var, v);
        Ok(())
    }

    fn LocalTee(&mut self, local: LocalIdx) -> Result<()> {
        let v = *self
            .stack
            .last()
            .ok_or("internal error: operand stack underflow")?;
        let var = self.local_var(local)?;
        self.b.def_var(var, v);
        Ok(())
    }

    // A global's value is in slot encoding, a v128 in two slots.
    fn GlobalGet(&mut self, global: GlobalIdx) -> Result<()> {
        let t = clif_type(self.env.global_type(global))?;
        let at = self.global_addr(global)?;
        let v = load_slot(&mut self.b, t, at, 0);
        self.push(v)
    }

    fn GlobalSet(&mut self, global: GlobalIdx) -> Result<()> {
        clif_type(self.env.global_type(global))?;
        let v = self.pop()?;
        let at = self.global_addr(global)?;
        store_slot(&mut self.b, v, at, 0);
        Ok(())
    }

    // ---- memory (§4.4.7) --------------------------------------------------

    ops! { load:
        I32Load => 4, |b, f, a| b.ins().load(I32, f, a, 0);
        I64Load => 8, |b, f, a| b.ins().load(I64, f, a, 0);
        F32Load => 4, |b, f, a| b.ins().load(F32, f, a, 0);
        F64Load => 8, |b, f, a| b.ins().load(F64, f, a, 0);
        I32Load8S => 1, |b, f, a| b.ins().sload8(I32, f, a, 0);
        I32Load8U => 1, |b, f, a| b.ins().uload8(I32, f, a, 0);
        I32Load16S => 2, |b, f, a| b.ins().sload16(I32, f, a, 0);
        I32Load16U => 2, |b, f, a| b.ins().uload16(I32, f, a, 0);
        I64Load8S => 1, |b, f, a| b.ins().sload8(I64, f, a, 0);
        I64Load8U => 1, |b, f, a| b.ins().uload8(I64, f, a, 0);
        I64Load16S => 2, |b, f, a| b.ins().sload16(I64, f, a, 0);
        I64Load16U => 2, |b, f, a| b.ins().uload16(I64, f, a, 0);
        I64Load32S => 4, |b, f, a| b.ins().sload32(f, a, 0);
        I64Load32U => 4, |b, f, a| b.ins().uload32(f, a, 0);
    }

    ops! { store:
        I32Store => 4, store;
        I64Store => 8, store;
        F32Store => 4, store;
        F64Store => 8, store;
        I32Store8 => 1, istore8;
        I32Store16 => 2, istore16;
        I64Store8 => 1, istore8;
        I64Store16 => 2, istore16;
        I64Store32 => 4, istore32;
    }

    fn MemoryInit(&mut self, data: DataIdx, mem: MemIdx) -> Result<()> {
        if mem.index() != 0 {
            return Err("multiple memories".into());
        }
        let [d, s, n] = self.pop_args()?;
        let data = self.index(data.0);
        self.runtime_op(offsets::MEMORY_INIT, &[I32; 4], &[data, d, s, n]);
        Ok(())
    }

    fn DataDrop(&mut self, data: DataIdx) -> Result<()> {
        let data = self.index(data.0);
        self.runtime_call(offsets::DATA_DROP, &[I32], &[data], &[]);
        Ok(())
    }

    fn MemoryCopy(&mut self, dst: MemIdx, src: MemIdx) -> Result<()> {
        if dst.index() != 0 || src.index() != 0 {
            return Err("multiple memories".into());
        }
        let [d, s, n] = self.pop_args()?;
        self.runtime_op(offsets::MEMORY_COPY, &[I32; 3], &[d, s, n]);
        Ok(())
    }

    fn MemoryFill(&mut self, mem: MemIdx) -> Result<()> {
        if mem.index() != 0 {
            return Err("multiple memories".into());
        }
        let [d, v, n] = self.pop_args()?;
        self.runtime_op(offsets::MEMORY_FILL, &[I32; 3], &[d, v, n]);
        Ok(())
    }

    // ---- tables (§4.4.6) --------------------------------------------------

    fn TableGet(&mut self, table: TableIdx) -> Result<()> {
        let i = self.pop()?;
        let slot =
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let out = self.b.ins().stack_addr(ptr, slot, 0);
        let t = self.index(table.0);
        self.runtime_op(offsets::TABLE_GET, &[I32, I32, ptr], &[t, i, out]);
        let v = self.b.ins().stack_load(ptr, I64, slot, 0);
        self.push(v)
    }

    fn TableSet(&mut self, table: TableIdx) -> Result<()> {
        let [i, v] = self.pop_args()?;
        let t = self.index(table.0);
        self.runtime_op(offsets::TABLE_SET, &[I32, I32, I64], &[t, i, v]);
        Ok(())
    }

    fn TableSize(&mut self, table: TableIdx) -> Result<()> {
        let t = self.index(table.0);
        let r = self.runtime_call(offsets::TABLE_SIZE, &[I32], &[t], &[I32]);
        self.push(r[0])
    }

    fn TableGrow(&mut self, table: TableIdx) -> Result<()> {
        let [init, delta] = self.pop_args()?;
        let t = self.index(table.0);
        let r = self.runtime_call(
            offsets::TABLE_GROW,
            &[I32, I64, I32],
            &[t, init, delta],
            &[I64],
        );
        let r = self.grow_result(r[0]);
        self.push(r)
    }

    fn TableFill(&mut self, table: TableIdx) -> Result<()> {
        let [start, v, n] = self.pop_args()?;
        let t = self.index(table.0);
        self.runtime_op(
            offsets::TABLE_FILL,
            &[I32, I32, I64, I32],
            &[t, start, v, n],
        );
        Ok(())
    }

    fn TableCopy(&mut self, dst: TableIdx, src: TableIdx) -> Result<()> {
        let [d, s, n] = self.pop_args()?;
        let (dt, st) = (self.index(dst.0), self.index(src.0));
        self.runtime_op(offsets::TABLE_COPY, &[I32; 5], &[dt, st, d, s, n]);
        Ok(())
    }

    fn TableInit(&mut self, elem: ElemIdx, table: TableIdx) -> Result<()> {
        let [d, s, n] = self.pop_args()?;
        let (t, e) = (self.index(table.0), self.index(elem.0));
        self.runtime_op(offsets::TABLE_INIT, &[I32; 5], &[t, e, d, s, n]);
        Ok(())
    }

    fn ElemDrop(&mut self, elem: ElemIdx) -> Result<()> {
        let e = self.index(elem.0);
        self.runtime_call(offsets::ELEM_DROP, &[I32], &[e], &[]);
        Ok(())
    }

    // ---- references (§4.4.2) ----------------------------------------------

    fn RefNull(&mut self, ty: HeapType) -> Result<()> {
        clif_type(ValType::Ref(RefType::null(ty)))?;
        let v = self.b.ins().iconst(I64, 0);
        self.push(v)
    }

    fn RefIsNull(&mut self) -> Result<()> {
        self.eqz()
    }

    fn RefAsNonNull(&mut self) -> Result<()> {
        let r = self.pop()?;
        let null = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
        self.trap_if(null, TrapKind::NullReference);
        self.push(r)
    }

    fn BrOnNull(&mut self, label: LabelIdx) -> Result<()> {
        let r = self.pop()?;
        let (blk, vals) = self.branch_args(label)?;
        let null = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
        let cont = self.b.create_block();
        self.b.ins().brif(null, blk, &args(&vals), cont, &[]);
        self.b.switch_to_block(cont);
        self.push(r)
    }

    fn BrOnNonNull(&mut self, label: LabelIdx) -> Result<()> {
        // The label takes the reference, on top of the values below it.
        let (blk, vals) = self.branch_args(label)?;
        let r = self.pop()?;
        let cont = self.b.create_block();
        self.b.ins().brif(r, blk, &args(&vals), cont, &[]);
        self.b.switch_to_block(cont);
        Ok(())
    }

    fn RefFunc(&mut self, func: FuncIdx) -> Result<()> {
        // The store's index of the function (from its reference), plus one.
        let func_ref = self.func_ref_addr(func)?;
        let index = self
            .b
            .ins()
            .load(I32, self.trusted, func_ref, offsets::FUNC_REF_INDEX);
        let index = self.b.ins().uextend(I64, index);
        let v = self.b.ins().iadd_imm_s(index, 1);
        self.push(v)
    }

    fn MemorySize(&mut self, mem: MemIdx) -> Result<()> {
        if mem.index() != 0 {
            return Err("multiple memories".into());
        }
        let (mem_def, _) = self.mem.ok_or("internal error: no memory")?;
        let ptr = self.b.func.dfg.value_type(self.vmctx);
        let len = self
            .b
            .ins()
            .load(ptr, self.trusted, mem_def, offsets::MEMORY_LEN);
        let pages = self.b.ins().ushr_imm_u(len, 16);
        let pages = self.b.ins().ireduce(I32, pages);
        self.push(pages)
    }

    fn MemoryGrow(&mut self, mem: MemIdx) -> Result<()> {
        if mem.index() != 0 {
            return Err("multiple memories".into());
        }
        let delta = self.pop()?;
        let f = self.libcall(offsets::MEMORY_GROW);
        let call = self
            .b
            .ins()
            .call_indirect(self.sigs.memory_grow, f, &[self.vmctx, delta]);
        let r = self.b.inst_results(call)[0];
        let r = self.grow_result(r);
        self.push(r)
    }

    // ---- numeric (§4.4.1) -------------------------------------------------

    fn I32Const(&mut self, value: i32) -> Result<()> {
        let v = self.b.ins().iconst(I32, i64::from(value));
        self.push(v)
    }

    fn I64Const(&mut self, value: i64) -> Result<()> {
        let v = self.b.ins().iconst(I64, value);
        self.push(v)
    }

    fn F32Const(&mut self, value: weft_syntax::F32) -> Result<()> {
        let v = self.b.ins().f32const(Ieee32::with_bits(value.0));
        self.push(v)
    }

    fn F64Const(&mut self, value: weft_syntax::F64) -> Result<()> {
        let v = self.b.ins().f64const(Ieee64::with_bits(value.0));
        self.push(v)
    }

    fn I32Eqz(&mut self) -> Result<()> {
        self.eqz()
    }

    fn I64Eqz(&mut self) -> Result<()> {
        self.eqz()
    }

    ops! { icmp:
        I32Eq => Equal; I32Ne => NotEqual;
        I32LtS => SignedLessThan; I32LtU => UnsignedLessThan;
        I32GtS => SignedGreaterThan; I32GtU => UnsignedGreaterThan;
        I32LeS => SignedLessThanOrEqual; I32LeU => UnsignedLessThanOrEqual;
        I32GeS => SignedGreaterThanOrEqual; I32GeU => UnsignedGreaterThanOrEqual;
        I64Eq => Equal; I64Ne => NotEqual;
        I64LtS => SignedLessThan; I64LtU => UnsignedLessThan;
        I64GtS => SignedGreaterThan; I64GtU => UnsignedGreaterThan;
        I64LeS => SignedLessThanOrEqual; I64LeU => UnsignedLessThanOrEqual;
        I64GeS => SignedGreaterThanOrEqual; I64GeU => UnsignedGreaterThanOrEqual;
    }

    ops! { fcmp:
        F32Eq => Equal; F32Ne => NotEqual; F32Lt => LessThan; F32Gt => GreaterThan;
        F32Le => LessThanOrEqual; F32Ge => GreaterThanOrEqual;
        F64Eq => Equal; F64Ne => NotEqual; F64Lt => LessThan; F64Gt => GreaterThan;
        F64Le => LessThanOrEqual; F64Ge => GreaterThanOrEqual;
    }

    ops! { un:
        I32Clz => clz; I32Ctz => ctz; I32Popcnt => popcnt;
        I64Clz => clz; I64Ctz => ctz; I64Popcnt => popcnt;
        F32Abs => fabs; F32Neg => fneg; F32Ceil => ceil; F32Floor => floor;
        F32Trunc => trunc; F32Nearest => nearest; F32Sqrt => sqrt;
        F64Abs => fabs; F64Neg => fneg; F64Ceil => ceil; F64Floor => floor;
        F64Trunc => trunc; F64Nearest => nearest; F64Sqrt => sqrt;
    }

    ops! { bin:
        I32Add => iadd; I32Sub => isub; I32Mul => imul;
        I32And => band; I32Or => bor; I32Xor => bxor;
        I32Shl => ishl; I32ShrS => sshr; I32ShrU => ushr; I32Rotl => rotl; I32Rotr => rotr;
        I64Add => iadd; I64Sub => isub; I64Mul => imul;
        I64And => band; I64Or => bor; I64Xor => bxor;
        I64Shl => ishl; I64ShrS => sshr; I64ShrU => ushr; I64Rotl => rotl; I64Rotr => rotr;
        F32Add => fadd; F32Sub => fsub; F32Mul => fmul; F32Div => fdiv;
        F32Min => fmin; F32Max => fmax; F32Copysign => fcopysign;
        F64Add => fadd; F64Sub => fsub; F64Mul => fmul; F64Div => fdiv;
        F64Min => fmin; F64Max => fmax; F64Copysign => fcopysign;
    }

    ops! { div:
        I32DivS => I32, true, false; I32DivU => I32, false, false;
        I32RemS => I32, true, true; I32RemU => I32, false, true;
        I64DivS => I64, true, false; I64DivU => I64, false, false;
        I64RemS => I64, true, true; I64RemU => I64, false, true;
    }

    ops! { conv:
        I32WrapI64 => ireduce(I32);
        I64ExtendI32S => sextend(I64); I64ExtendI32U => uextend(I64);
        F32ConvertI32S => fcvt_from_sint(F32); F32ConvertI32U => fcvt_from_uint(F32);
        F32ConvertI64S => fcvt_from_sint(F32); F32ConvertI64U => fcvt_from_uint(F32);
        F64ConvertI32S => fcvt_from_sint(F64); F64ConvertI32U => fcvt_from_uint(F64);
        F64ConvertI64S => fcvt_from_sint(F64); F64ConvertI64U => fcvt_from_uint(F64);
        F32DemoteF64 => fdemote(F32); F64PromoteF32 => fpromote(F64);
        I32TruncSatF32S => fcvt_to_sint_sat(I32); I32TruncSatF32U => fcvt_to_uint_sat(I32);
        I32TruncSatF64S => fcvt_to_sint_sat(I32); I32TruncSatF64U => fcvt_to_uint_sat(I32);
        I64TruncSatF32S => fcvt_to_sint_sat(I64); I64TruncSatF32U => fcvt_to_uint_sat(I64);
        I64TruncSatF64S => fcvt_to_sint_sat(I64); I64TruncSatF64U => fcvt_to_uint_sat(I64);
    }

    ops! { bitcast:
        I32ReinterpretF32 => I32; I64ReinterpretF64 => I64;
        F32ReinterpretI32 => F32; F64ReinterpretI64 => F64;
    }

    ops! { extend:
        I32Extend8S => I32 from I8; I32Extend16S => I32 from I16;
        I64Extend8S => I64 from I8; I64Extend16S => I64 from I16; I64Extend32S => I64 from I32;
    }

    // Bounds: f32 cannot hold 2^31 - 1 or -2^31 - 1, so its lower bounds
    // are inclusive at -2^31 (-2^63); f64 holds -2^31 - 1 exactly.
    ops! { trunc:
        I32TruncF32S => I32, true, -P31, true, P31;
        I32TruncF32U => I32, false, -1.0, false, P32;
        I32TruncF64S => I32, true, -P31 - 1.0, false, P31;
        I32TruncF64U => I32, false, -1.0, false, P32;
        I64TruncF32S => I64, true, -P63, true, P63;
        I64TruncF32U => I64, false, -1.0, false, P64;
        I64TruncF64S => I64, true, -P63, true, P63;
        I64TruncF64U => I64, false, -1.0, false, P64;
    }

    // ---- vector (§4.4.3), see `simd.rs` -----------------------------------

    fn V128Load(&mut self, memarg: MemArg) -> Result<()> {
        self.load(memarg, 16, |b, f, a| b.ins().load(I8X16, f, a, 0))
    }

    fn V128Store(&mut self, memarg: MemArg) -> Result<()> {
        self.store(memarg, 16, |b, f, v, a| {
            b.ins().store(f, v, a, 0);
        })
    }

    fn V128Const(&mut self, value: V128) -> Result<()> {
        let v = simd::vconst(&mut self.b, value.0);
        self.push(v)
    }

    fn I8x16Shuffle(&mut self, lanes: ShuffleLanes) -> Result<()> {
        self.vbin(I8X16, |b, x, y| {
            let mask = b.func.dfg.immediates.push(ConstantData::from(&lanes.0[..]));
            b.ins().shuffle(x, y, mask)
        })
    }

    fn V128Load32Zero(&mut self, memarg: MemArg) -> Result<()> {
        self.load_zero(memarg, I32X4)
    }

    fn V128Load64Zero(&mut self, memarg: MemArg) -> Result<()> {
        self.load_zero(memarg, I64X2)
    }

    fn I32x4TruncSatF64x2SZero(&mut self) -> Result<()> {
        self.trunc_sat_zero(true)
    }

    fn I32x4TruncSatF64x2UZero(&mut self) -> Result<()> {
        self.trunc_sat_zero(false)
    }

    fn I32x4RelaxedTruncF64x2SZero(&mut self) -> Result<()> {
        self.trunc_sat_zero(true)
    }

    fn I32x4RelaxedTruncF64x2UZero(&mut self) -> Result<()> {
        self.trunc_sat_zero(false)
    }

    fn I32x4RelaxedDotI8x16I7x16AddS(&mut self) -> Result<()> {
        self.relaxed_dot_add()
    }

    simd_ops! { load:
        V128Load8x8S => sload8x8;
        V128Load8x8U => uload8x8;
        V128Load16x4S => sload16x4;
        V128Load16x4U => uload16x4;
        V128Load32x2S => sload32x2;
        V128Load32x2U => uload32x2;
    }
    simd_ops! { load_splat:
        V128Load8Splat => I8X16;
        V128Load16Splat => I16X8;
        V128Load32Splat => I32X4;
        V128Load64Splat => I64X2;
    }
    simd_ops! { load_lane:
        V128Load8Lane => I8X16;
        V128Load16Lane => I16X8;
        V128Load32Lane => I32X4;
        V128Load64Lane => I64X2;
    }
    simd_ops! { store_lane:
        V128Store8Lane => I8X16;
        V128Store16Lane => I16X8;
        V128Store32Lane => I32X4;
        V128Store64Lane => I64X2;
    }
    simd_ops! { splat:
        I8x16Splat => I8X16;
        I16x8Splat => I16X8;
        I32x4Splat => I32X4;
        I64x2Splat => I64X2;
        F32x4Splat => F32X4;
        F64x2Splat => F64X2;
    }
    simd_ops! { extract:
        I8x16ExtractLaneS => I8X16, Signed;
        I8x16ExtractLaneU => I8X16, Unsigned;
        I16x8ExtractLaneS => I16X8, Signed;
        I16x8ExtractLaneU => I16X8, Unsigned;
        I32x4ExtractLane => I32X4, None;
        I64x2ExtractLane => I64X2, None;
        F32x4ExtractLane => F32X4, None;
        F64x2ExtractLane => F64X2, None;
    }
    simd_ops! { replace:
        I8x16ReplaceLane => I8X16;
        I16x8ReplaceLane => I16X8;
        I32x4ReplaceLane => I32X4;
        I64x2ReplaceLane => I64X2;
        F32x4ReplaceLane => F32X4;
        F64x2ReplaceLane => F64X2;
    }
    simd_ops! { icmp:
        I8x16Eq => I8X16, Equal;
        I8x16Ne => I8X16, NotEqual;
        I8x16LtS => I8X16, SignedLessThan;
        I8x16LtU => I8X16, UnsignedLessThan;
        I8x16GtS => I8X16, SignedGreaterThan;
        I8x16GtU => I8X16, UnsignedGreaterThan;
        I8x16LeS => I8X16, SignedLessThanOrEqual;
        I8x16LeU => I8X16, UnsignedLessThanOrEqual;
        I8x16GeS => I8X16, SignedGreaterThanOrEqual;
        I8x16GeU => I8X16, UnsignedGreaterThanOrEqual;
        I16x8Eq => I16X8, Equal;
        I16x8Ne => I16X8, NotEqual;
        I16x8LtS => I16X8, SignedLessThan;
        I16x8LtU => I16X8, UnsignedLessThan;
        I16x8GtS => I16X8, SignedGreaterThan;
        I16x8GtU => I16X8, UnsignedGreaterThan;
        I16x8LeS => I16X8, SignedLessThanOrEqual;
        I16x8LeU => I16X8, UnsignedLessThanOrEqual;
        I16x8GeS => I16X8, SignedGreaterThanOrEqual;
        I16x8GeU => I16X8, UnsignedGreaterThanOrEqual;
        I32x4Eq => I32X4, Equal;
        I32x4Ne => I32X4, NotEqual;
        I32x4LtS => I32X4, SignedLessThan;
        I32x4LtU => I32X4, UnsignedLessThan;
        I32x4GtS => I32X4, SignedGreaterThan;
        I32x4GtU => I32X4, UnsignedGreaterThan;
        I32x4LeS => I32X4, SignedLessThanOrEqual;
        I32x4LeU => I32X4, UnsignedLessThanOrEqual;
        I32x4GeS => I32X4, SignedGreaterThanOrEqual;
        I32x4GeU => I32X4, UnsignedGreaterThanOrEqual;
        I64x2Eq => I64X2, Equal;
        I64x2Ne => I64X2, NotEqual;
        I64x2LtS => I64X2, SignedLessThan;
        I64x2GtS => I64X2, SignedGreaterThan;
        I64x2LeS => I64X2, SignedLessThanOrEqual;
        I64x2GeS => I64X2, SignedGreaterThanOrEqual;
    }
    simd_ops! { fcmp:
        F32x4Eq => F32X4, Equal;
        F32x4Ne => F32X4, NotEqual;
        F32x4Lt => F32X4, LessThan;
        F32x4Gt => F32X4, GreaterThan;
        F32x4Le => F32X4, LessThanOrEqual;
        F32x4Ge => F32X4, GreaterThanOrEqual;
        F64x2Eq => F64X2, Equal;
        F64x2Ne => F64X2, NotEqual;
        F64x2Lt => F64X2, LessThan;
        F64x2Gt => F64X2, GreaterThan;
        F64x2Le => F64X2, LessThanOrEqual;
        F64x2Ge => F64X2, GreaterThanOrEqual;
    }
    simd_ops! { test:
        V128AnyTrue => I8X16, |b, x| b.ins().vany_true(x);
        I8x16AllTrue => I8X16, |b, x| b.ins().vall_true(x);
        I16x8AllTrue => I16X8, |b, x| b.ins().vall_true(x);
        I32x4AllTrue => I32X4, |b, x| b.ins().vall_true(x);
        I64x2AllTrue => I64X2, |b, x| b.ins().vall_true(x);
        I8x16Bitmask => I8X16, |b, x| b.ins().vhigh_bits(I32, x);
        I16x8Bitmask => I16X8, |b, x| b.ins().vhigh_bits(I32, x);
        I32x4Bitmask => I32X4, |b, x| b.ins().vhigh_bits(I32, x);
        I64x2Bitmask => I64X2, |b, x| b.ins().vhigh_bits(I32, x);
    }
    simd_ops! { shift:
        I8x16Shl => I8X16, Shl;
        I8x16ShrS => I8X16, ShrS;
        I8x16ShrU => I8X16, ShrU;
        I16x8Shl => I16X8, Shl;
        I16x8ShrS => I16X8, ShrS;
        I16x8ShrU => I16X8, ShrU;
        I32x4Shl => I32X4, Shl;
        I32x4ShrS => I32X4, ShrS;
        I32x4ShrU => I32X4, ShrU;
        I64x2Shl => I64X2, Shl;
        I64x2ShrS => I64X2, ShrS;
        I64x2ShrU => I64X2, ShrU;
    }
    simd_ops! { un:
        V128Not => I8X16, |b, x| b.ins().bnot(x);
        I8x16Abs => I8X16, |b, x| b.ins().iabs(x);
        I16x8Abs => I16X8, |b, x| b.ins().iabs(x);
        I32x4Abs => I32X4, |b, x| b.ins().iabs(x);
        I64x2Abs => I64X2, |b, x| b.ins().iabs(x);
        I8x16Neg => I8X16, |b, x| b.ins().ineg(x);
        I16x8Neg => I16X8, |b, x| b.ins().ineg(x);
        I32x4Neg => I32X4, |b, x| b.ins().ineg(x);
        I64x2Neg => I64X2, |b, x| b.ins().ineg(x);
        I8x16Popcnt => I8X16, |b, x| b.ins().popcnt(x);
        F32x4Abs => F32X4, |b, x| b.ins().fabs(x);
        F64x2Abs => F64X2, |b, x| b.ins().fabs(x);
        F32x4Neg => F32X4, |b, x| b.ins().fneg(x);
        F64x2Neg => F64X2, |b, x| b.ins().fneg(x);
        F32x4Sqrt => F32X4, |b, x| b.ins().sqrt(x);
        F64x2Sqrt => F64X2, |b, x| b.ins().sqrt(x);
        F32x4Ceil => F32X4, |b, x| b.ins().ceil(x);
        F64x2Ceil => F64X2, |b, x| b.ins().ceil(x);
        F32x4Floor => F32X4, |b, x| b.ins().floor(x);
        F64x2Floor => F64X2, |b, x| b.ins().floor(x);
        F32x4Trunc => F32X4, |b, x| b.ins().trunc(x);
        F64x2Trunc => F64X2, |b, x| b.ins().trunc(x);
        F32x4Nearest => F32X4, |b, x| b.ins().nearest(x);
        F64x2Nearest => F64X2, |b, x| b.ins().nearest(x);
        I16x8ExtendLowI8x16S => I8X16, |b, x| b.ins().swiden_low(x);
        I16x8ExtendHighI8x16S => I8X16, |b, x| b.ins().swiden_high(x);
        I16x8ExtendLowI8x16U => I8X16, |b, x| b.ins().uwiden_low(x);
        I16x8ExtendHighI8x16U => I8X16, |b, x| b.ins().uwiden_high(x);
        I32x4ExtendLowI16x8S => I16X8, |b, x| b.ins().swiden_low(x);
        I32x4ExtendHighI16x8S => I16X8, |b, x| b.ins().swiden_high(x);
        I32x4ExtendLowI16x8U => I16X8, |b, x| b.ins().uwiden_low(x);
        I32x4ExtendHighI16x8U => I16X8, |b, x| b.ins().uwiden_high(x);
        I64x2ExtendLowI32x4S => I32X4, |b, x| b.ins().swiden_low(x);
        I64x2ExtendHighI32x4S => I32X4, |b, x| b.ins().swiden_high(x);
        I64x2ExtendLowI32x4U => I32X4, |b, x| b.ins().uwiden_low(x);
        I64x2ExtendHighI32x4U => I32X4, |b, x| b.ins().uwiden_high(x);
        I16x8ExtAddPairwiseI8x16S => I8X16, |b, x| simd::extadd_pairwise(b, x, true);
        I16x8ExtAddPairwiseI8x16U => I8X16, |b, x| simd::extadd_pairwise(b, x, false);
        I32x4ExtAddPairwiseI16x8S => I16X8, |b, x| simd::extadd_pairwise(b, x, true);
        I32x4ExtAddPairwiseI16x8U => I16X8, |b, x| simd::extadd_pairwise(b, x, false);
        I32x4TruncSatF32x4S => F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x);
        I32x4TruncSatF32x4U => F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x);
        I32x4RelaxedTruncF32x4S => F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x);
        I32x4RelaxedTruncF32x4U => F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x);
        F32x4ConvertI32x4S => I32X4, |b, x| b.ins().fcvt_from_sint(F32X4, x);
        F32x4ConvertI32x4U => I32X4, |b, x| b.ins().fcvt_from_uint(F32X4, x);
        F64x2ConvertLowI32x4S => I32X4, |b, x| {
            let w = b.ins().swiden_low(x);
            b.ins().fcvt_from_sint(F64X2, w)
        };
        F64x2ConvertLowI32x4U => I32X4, |b, x| {
            let w = b.ins().uwiden_low(x);
            b.ins().fcvt_from_uint(F64X2, w)
        };
        F32x4DemoteF64x2Zero => F64X2, |b, x| b.ins().fvdemote(x);
        F64x2PromoteLowF32x4 => F32X4, |b, x| b.ins().fvpromote_low(x);
    }
    simd_ops! { bin:
        I8x16Swizzle => I8X16, |b, x, y| b.ins().swizzle(x, y);
        I8x16RelaxedSwizzle => I8X16, |b, x, y| b.ins().swizzle(x, y);
        V128And => I8X16, |b, x, y| b.ins().band(x, y);
        V128AndNot => I8X16, |b, x, y| b.ins().band_not(x, y);
        V128Or => I8X16, |b, x, y| b.ins().bor(x, y);
        V128Xor => I8X16, |b, x, y| b.ins().bxor(x, y);
        I8x16NarrowI16x8S => I16X8, |b, x, y| b.ins().snarrow(x, y);
        I8x16NarrowI16x8U => I16X8, |b, x, y| b.ins().unarrow(x, y);
        I16x8NarrowI32x4S => I32X4, |b, x, y| b.ins().snarrow(x, y);
        I16x8NarrowI32x4U => I32X4, |b, x, y| b.ins().unarrow(x, y);
        I8x16Add => I8X16, |b, x, y| b.ins().iadd(x, y);
        I16x8Add => I16X8, |b, x, y| b.ins().iadd(x, y);
        I32x4Add => I32X4, |b, x, y| b.ins().iadd(x, y);
        I64x2Add => I64X2, |b, x, y| b.ins().iadd(x, y);
        I8x16Sub => I8X16, |b, x, y| b.ins().isub(x, y);
        I16x8Sub => I16X8, |b, x, y| b.ins().isub(x, y);
        I32x4Sub => I32X4, |b, x, y| b.ins().isub(x, y);
        I64x2Sub => I64X2, |b, x, y| b.ins().isub(x, y);
        I16x8Mul => I16X8, |b, x, y| b.ins().imul(x, y);
        I32x4Mul => I32X4, |b, x, y| b.ins().imul(x, y);
        I64x2Mul => I64X2, |b, x, y| b.ins().imul(x, y);
        I8x16AddSatS => I8X16, |b, x, y| b.ins().sadd_sat(x, y);
        I8x16AddSatU => I8X16, |b, x, y| b.ins().uadd_sat(x, y);
        I16x8AddSatS => I16X8, |b, x, y| b.ins().sadd_sat(x, y);
        I16x8AddSatU => I16X8, |b, x, y| b.ins().uadd_sat(x, y);
        I8x16SubSatS => I8X16, |b, x, y| b.ins().ssub_sat(x, y);
        I8x16SubSatU => I8X16, |b, x, y| b.ins().usub_sat(x, y);
        I16x8SubSatS => I16X8, |b, x, y| b.ins().ssub_sat(x, y);
        I16x8SubSatU => I16X8, |b, x, y| b.ins().usub_sat(x, y);
        I8x16MinS => I8X16, |b, x, y| b.ins().smin(x, y);
        I8x16MinU => I8X16, |b, x, y| b.ins().umin(x, y);
        I8x16MaxS => I8X16, |b, x, y| b.ins().smax(x, y);
        I8x16MaxU => I8X16, |b, x, y| b.ins().umax(x, y);
        I16x8MinS => I16X8, |b, x, y| b.ins().smin(x, y);
        I16x8MinU => I16X8, |b, x, y| b.ins().umin(x, y);
        I16x8MaxS => I16X8, |b, x, y| b.ins().smax(x, y);
        I16x8MaxU => I16X8, |b, x, y| b.ins().umax(x, y);
        I32x4MinS => I32X4, |b, x, y| b.ins().smin(x, y);
        I32x4MinU => I32X4, |b, x, y| b.ins().umin(x, y);
        I32x4MaxS => I32X4, |b, x, y| b.ins().smax(x, y);
        I32x4MaxU => I32X4, |b, x, y| b.ins().umax(x, y);
        I8x16AvgrU => I8X16, |b, x, y| b.ins().avg_round(x, y);
        I16x8AvgrU => I16X8, |b, x, y| b.ins().avg_round(x, y);
        I16x8Q15MulrSatS => I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y);
        I16x8RelaxedQ15mulrS => I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y);
        I32x4DotI16x8S => I16X8, |b, x, y| simd::dot(b, x, y);
        I16x8RelaxedDotI8x16I7x16S => I8X16, |b, x, y| simd::dot(b, x, y);
        I16x8ExtMulLowI8x16S => I8X16, |b, x, y| simd::extmul(b, x, y, true, Half::Low);
        I16x8ExtMulHighI8x16S => I8X16, |b, x, y| simd::extmul(b, x, y, true, Half::High);
        I16x8ExtMulLowI8x16U => I8X16, |b, x, y| simd::extmul(b, x, y, false, Half::Low);
        I16x8ExtMulHighI8x16U => I8X16, |b, x, y| simd::extmul(b, x, y, false, Half::High);
        I32x4ExtMulLowI16x8S => I16X8, |b, x, y| simd::extmul(b, x, y, true, Half::Low);
        I32x4ExtMulHighI16x8S => I16X8, |b, x, y| simd::extmul(b, x, y, true, Half::High);
        I32x4ExtMulLowI16x8U => I16X8, |b, x, y| simd::extmul(b, x, y, false, Half::Low);
        I32x4ExtMulHighI16x8U => I16X8, |b, x, y| simd::extmul(b, x, y, false, Half::High);
        I64x2ExtMulLowI32x4S => I32X4, |b, x, y| simd::extmul(b, x, y, true, Half::Low);
        I64x2ExtMulHighI32x4S => I32X4, |b, x, y| simd::extmul(b, x, y, true, Half::High);
        I64x2ExtMulLowI32x4U => I32X4, |b, x, y| simd::extmul(b, x, y, false, Half::Low);
        I64x2ExtMulHighI32x4U => I32X4, |b, x, y| simd::extmul(b, x, y, false, Half::High);
        F32x4Add => F32X4, |b, x, y| b.ins().fadd(x, y);
        F64x2Add => F64X2, |b, x, y| b.ins().fadd(x, y);
        F32x4Sub => F32X4, |b, x, y| b.ins().fsub(x, y);
        F64x2Sub => F64X2, |b, x, y| b.ins().fsub(x, y);
        F32x4Mul => F32X4, |b, x, y| b.ins().fmul(x, y);
        F64x2Mul => F64X2, |b, x, y| b.ins().fmul(x, y);
        F32x4Div => F32X4, |b, x, y| b.ins().fdiv(x, y);
        F64x2Div => F64X2, |b, x, y| b.ins().fdiv(x, y);
        F32x4Min => F32X4, |b, x, y| b.ins().fmin(x, y);
        F64x2Min => F64X2, |b, x, y| b.ins().fmin(x, y);
        F32x4Max => F32X4, |b, x, y| b.ins().fmax(x, y);
        F64x2Max => F64X2, |b, x, y| b.ins().fmax(x, y);
        F32x4RelaxedMin => F32X4, |b, x, y| b.ins().fmin(x, y);
        F64x2RelaxedMin => F64X2, |b, x, y| b.ins().fmin(x, y);
        F32x4RelaxedMax => F32X4, |b, x, y| b.ins().fmax(x, y);
        F64x2RelaxedMax => F64X2, |b, x, y| b.ins().fmax(x, y);
        F32x4PMin => F32X4, |b, x, y| simd::pminmax(b, x, y, false);
        F64x2PMin => F64X2, |b, x, y| simd::pminmax(b, x, y, false);
        F32x4PMax => F32X4, |b, x, y| simd::pminmax(b, x, y, true);
        F64x2PMax => F64X2, |b, x, y| simd::pminmax(b, x, y, true);
    }
    simd_ops! { tern:
        // v128.bitselect v1 v2 c: the bits of v1 where c is 1, else v2's.
        V128Bitselect => I8X16, |b, x, y, c| b.ins().bitselect(c, x, y);
        I8x16RelaxedLaneselect => I8X16, |b, x, y, c| b.ins().bitselect(c, x, y);
        I16x8RelaxedLaneselect => I8X16, |b, x, y, c| b.ins().bitselect(c, x, y);
        I32x4RelaxedLaneselect => I8X16, |b, x, y, c| b.ins().bitselect(c, x, y);
        I64x2RelaxedLaneselect => I8X16, |b, x, y, c| b.ins().bitselect(c, x, y);
        // Unfused, as the interpreter does: a * b + c, and -(a * b) + c.
        F32x4RelaxedMadd => F32X4, |b, x, y, z| simd::madd(b, x, y, z, false);
        F64x2RelaxedMadd => F64X2, |b, x, y, z| simd::madd(b, x, y, z, false);
        F32x4RelaxedNmadd => F32X4, |b, x, y, z| simd::madd(b, x, y, z, true);
        F64x2RelaxedNmadd => F64X2, |b, x, y, z| simd::madd(b, x, y, z, true);
    }
}
