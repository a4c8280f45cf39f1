//! Translation of a validated function body from the stack machine into the
//! internal register-style code (see `code.rs` for the frame layout).
//!
//! The translator walks the body once, keeping a model of the operand
//! stack whose entries say where each value lives: in a local's slot, in a
//! constant's slot, or in the canonical temporary slot of its stack
//! position. Instructions read their operands where they are and write
//! their result to the canonical temporary of the stack position it takes.
//!
//! Invariants that make this correct:
//! - A temporary always lives at the canonical slot of its stack position
//!   (`temp_base + pos`), so values never need to move between stack
//!   positions except at branches.
//! - A `local.get` is not copied; before the local is overwritten, every
//!   stack entry still naming it is copied to its canonical temporary
//!   ("preservation"). On entry to a block, loop or if, all such entries
//!   are preserved, so that code inside the block never needs to preserve
//!   entries of enclosing blocks (whose copy would be skipped by a branch).
//! - At a label, branch values are in the canonical temporaries of the
//!   label's stack height; branches copy their values there.
//! - `local.set` of a value the previous instruction just computed
//!   retargets that instruction's destination to the local, unless the
//!   local's old value is still on the stack.
//! - A scalar temporary computed by one instruction and consumed by the
//!   very next one travels in the accumulator register instead of its slot
//!   (`modes`, see `exec.rs`); temporaries are read exactly once, and no
//!   label, call or other instruction sits between the two.
//!
//! Constants are collected in a first pass and get slots after the locals,
//! filled on function entry, so that instructions read them like locals.
//!
//! Fusions: each replaces the instruction just emitted and the one being
//! emitted by one that does both, when the first one's result is a
//! temporary that only the second reads (so it never needs its slot):
//! - compare + conditional jump (`BrI32LtU`, ...), `i32.add` + that jump
//!   (`AddBrI32*`), also for the rotated copy of a loop's exit test;
//! - `i32.add` + load or store: the access adds its address (`ADDR_ADD`);
//!   for a load, also when the sum is a local (`SUM_TOO`);
//! - `i32.load` / `i32.load8_u` + jump on zero (`LoadJumpIf*`);
//! - two dependent binary operators (`Pair`), a load and an operator
//!   (`LoadPair`), an operator and a store (`StorePair`), from short lists
//!   of the frequent ones (`code.rs`);
//! - `eqz` + `select`, and `and` + `eqz` + `select` (`ChooseTestZ`);
//! - two moves (`Move2`).
//!
//! And a few rewrites: a branch back to a loop whose first instruction is
//! its exit test gets a negated copy of that test (loop rotation); jumps
//! to jumps go to the final target (`thread_jumps`); constant `local.set`s
//! before any code become initial values.

use super::code::*;
use super::verify::ends_flow;
use crate::module::ModuleInner;
use crate::TrapCode;
use std::collections::HashMap;
use weft_binary::Reader;
use weft_syntax::{
    AddrType, BlockType, BrTable, CastFlags, Catch, Catches, Code, DataIdx, ElemIdx, FuncIdx,
    FuncType, GlobalIdx, HeapType, Instr, LabelIdx, LocalIdx, MemArg, MemIdx, RefType,
    ShuffleLanes, TableIdx, TagIdx, TypeIdx, ValType, F32, F64, V128,
};

/// Slots a frame may have: indices must fit a [`Slot`].
const MAX_FRAME: u32 = 1 << 16;
/// Slots reserved for constants; further constants are materialized by
/// instructions.
const MAX_CONST_SLOTS: u32 = 8192;

type Result<T> = std::result::Result<T, String>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Temp,
    Local,
    Const,
}

/// Where a stack entry's value lives.
#[derive(Clone, Copy, Debug)]
struct Operand {
    kind: Kind,
    slot: Slot,
    wide: bool,
    /// Slot height below this entry: its canonical temporary is
    /// `temp_base + pos`.
    pos: u32,
}

impl Operand {
    fn width(&self) -> u32 {
        1 + self.wide as u32
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CtrlKind {
    Func,
    Block,
    Loop,
    If,
    Else,
    /// A `try_table` with catch clauses (one without is a `Block`).
    TryTable,
    /// The body of a legacy `try`.
    Try,
    /// A `catch` or `catch_all` body of a legacy `try`.
    Catch,
}

struct Ctrl<'m> {
    kind: CtrlKind,
    /// Branch target: the end, or the start of a loop.
    label: usize,
    /// Start of the else branch of an `if` (bound at `else` or `end`).
    else_label: usize,
    /// Stack entries below the block's parameters.
    height: usize,
    /// Slot height below the block's parameters.
    pos: u32,
    params: &'m [ValType],
    results: &'m [ValType],
    /// A try block's body: the instructions `try_start..try_end` (the end
    /// is known at a legacy `try`'s first `catch`).
    try_start: u32,
    try_end: u32,
    /// A `try_table`'s catch clauses.
    catches: Vec<Catch>,
    /// A legacy `try`'s slot for the exception its catch bodies handle
    /// (which `rethrow` throws again).
    exn_slot: Slot,
}

impl Ctrl<'_> {
    fn label_types(&self) -> &[ValType] {
        if self.kind == CtrlKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

#[derive(Default)]
struct Label {
    target: Option<usize>,
    patches: Vec<usize>,
    used: bool,
}

fn wide(t: ValType) -> bool {
    t == ValType::V128
}

fn slots(ts: &[ValType]) -> u32 {
    ts.iter().map(|&t| 1 + wide(t) as u32).sum()
}

/// A one-element type list with static lifetime.
fn one(t: ValType) -> &'static [ValType] {
    const I32: &[ValType] = &[ValType::I32];
    const I64: &[ValType] = &[ValType::I64];
    const F32S: &[ValType] = &[ValType::F32];
    const F64S: &[ValType] = &[ValType::F64];
    const V128S: &[ValType] = &[ValType::V128];
    const FUNCREF: &[ValType] = &[ValType::FUNCREF];
    const EXTERNREF: &[ValType] = &[ValType::EXTERNREF];
    const FUNC_NN: &[ValType] = &[ValType::Ref(RefType {
        nullable: false,
        heap: HeapType::Func,
    })];
    const EXTERN_NN: &[ValType] = &[ValType::Ref(RefType {
        nullable: false,
        heap: HeapType::Extern,
    })];
    match t {
        ValType::I32 => I32,
        ValType::I64 => I64,
        ValType::F32 => F32S,
        ValType::F64 => F64S,
        ValType::V128 => V128S,
        // Other heap types never reach the translator (`check_executable`
        // in module.rs); they take the slot shape of `externref`.
        ValType::Ref(RefType { nullable, heap }) => match (nullable, heap) {
            (true, HeapType::Func) => FUNCREF,
            (false, HeapType::Func) => FUNC_NN,
            (false, HeapType::Extern) => EXTERN_NN,
            (true, _) | (false, _) => EXTERNREF,
        },
    }
}

/// The bits of a constant immediate: (low, high, wide).
trait ConstBits {
    fn bits(self) -> (u64, u64, bool);
}

impl ConstBits for i32 {
    fn bits(self) -> (u64, u64, bool) {
        (self as u32 as u64, 0, false)
    }
}

impl ConstBits for i64 {
    fn bits(self) -> (u64, u64, bool) {
        (self as u64, 0, false)
    }
}

impl ConstBits for F32 {
    fn bits(self) -> (u64, u64, bool) {
        (u64::from(self.0), 0, false)
    }
}

impl ConstBits for F64 {
    fn bits(self) -> (u64, u64, bool) {
        (self.0, 0, false)
    }
}

impl ConstBits for V128 {
    fn bits(self) -> (u64, u64, bool) {
        let v = u128::from_le_bytes(self.0);
        (v as u64, (v >> 64) as u64, true)
    }
}

/// The hasher of the constant pool: a multiply-rotate hash (SipHash showed
/// in translation profiles), started from a random per-process seed so
/// that a module cannot be built to make its constants collide.
#[derive(Clone, Copy, Default)]
struct BuildConstHasher;

impl std::hash::BuildHasher for BuildConstHasher {
    type Hasher = ConstHasher;
    fn build_hasher(&self) -> ConstHasher {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        let seed = *SEED.get_or_init(|| {
            use std::hash::Hasher;
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        });
        ConstHasher(seed)
    }
}

struct ConstHasher(u64);

impl std::hash::Hasher for ConstHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
}

/// Translates defined function `def` of `m`.
pub(crate) fn translate(m: &ModuleInner, def: u32) -> Result<CompiledFunc> {
    let func = m.num_imported_funcs as u32 + def;
    let ty = m.func_type(func);
    let code = m
        .module
        .code
        .get(def as usize)
        .ok_or("internal error: no body")?;
    let mut t = Translator::new(m, ty, code)?;
    t.run(code)?;
    let f = t.finish()?;
    super::verify::verify(m, &f)?;
    Ok(f)
}

struct Translator<'m> {
    m: &'m ModuleInner,
    code: Vec<Op>,
    shuffles: Vec<[u8; 16]>,
    stack: Vec<Operand>,
    ctrls: Vec<Ctrl<'m>>,
    labels: Vec<Label>,
    /// Slot and width of each local (parameters first).
    locals: Vec<(Slot, bool)>,
    param_slots: u32,
    /// Constant pool: bits to slot.
    consts: HashMap<(u64, u64, bool), Slot, BuildConstHasher>,
    /// Initial values after the parameters: locals, then constants.
    init: Vec<u64>,
    temp_base: u32,
    max_height: u32,
    /// Stack entries of kind `Local`, to skip scans when there are none.
    local_refs: usize,
    /// The last instruction, if it computed the top stack entry.
    last_producer: Option<usize>,
    /// Whether `last_producer` can leave its result in the accumulator.
    acc_capable: bool,
    /// Accumulator use of each instruction (`ACC_*` bits, see `code.rs`).
    modes: Vec<u8>,
    /// The code position a label was last bound to (so a new instruction
    /// there is a jump target).
    last_bind: usize,
    /// The label each branch instruction jumps to (`NO_LABEL` for other
    /// instructions), for loop rotation (see `branch_to`).
    jump_labels: Vec<u32>,
    reachable: bool,
    /// Nesting of blocks inside unreachable code.
    dead_depth: u32,
    fuel: bool,
    /// Whether fuel's points also check the epoch deadline.
    epoch: bool,
    fuel_site: Option<usize>,
    results: &'m [ValType],
    /// Exception handlers so far, innermost block first.
    catches: Vec<CatchEntry>,
    /// The first of the slots for the exceptions of legacy `try` blocks,
    /// one per nesting level (after the constants).
    exn_base: u32,
    /// The module offset of the Wasm instruction being translated.
    at: u32,
    /// `CompiledFunc::offsets` so far.
    offsets: Vec<(u32, u32)>,
}

impl<'m> Translator<'m> {
    fn new(m: &'m ModuleInner, ty: &'m FuncType, code: &Code<'_>) -> Result<Self> {
        let too_big = || "function too large: more than 65536 slots of locals".to_string();
        let mut locals = Vec::new();
        let mut next: u32 = 0;
        for &p in &ty.params {
            locals.push((next as Slot, wide(p)));
            next += 1 + wide(p) as u32;
            if next >= MAX_FRAME {
                return Err(too_big());
            }
        }
        let param_slots = next;
        for run in &code.locals {
            for _ in 0..run.count {
                if next + 2 >= MAX_FRAME {
                    return Err(too_big());
                }
                locals.push((next as Slot, wide(run.ty)));
                next += 1 + wide(run.ty) as u32;
            }
        }
        let mut init = vec![0u64; (next - param_slots) as usize];
        // Constants: a first pass over the body.
        let mut consts = HashMap::with_hasher(BuildConstHasher);
        let features = m.engine.config().features;
        let mut r = Reader::new_at(&code.body.bytes, code.body.offset, features);
        let local_slots = init.len();
        let mut add = |bits: (u64, u64, bool), init: &mut Vec<u64>| {
            let w = 1 + bits.2 as usize;
            if consts.contains_key(&bits)
                || init.len() - local_slots + w > MAX_CONST_SLOTS as usize
                || param_slots as usize + init.len() + w >= (MAX_FRAME / 2) as usize
            {
                return;
            }
            let slot = (param_slots as usize + init.len()) as Slot;
            init.push(bits.0);
            if bits.2 {
                init.push(bits.1);
            }
            consts.insert(bits, slot);
        };
        // Nesting of blocks (whether each is a legacy `try`), for the
        // exception slots of legacy `try` blocks.
        let mut blocks: Vec<bool> = Vec::new();
        let (mut tries, mut max_tries) = (0u32, 0u32);
        while !r.is_empty() {
            let instr = r.read_instr().map_err(|e| e.to_string())?;
            match instr {
                Instr::Block { .. }
                | Instr::Loop { .. }
                | Instr::If { .. }
                | Instr::TryTable { .. } => blocks.push(false),
                Instr::Try { .. } => {
                    blocks.push(true);
                    tries += 1;
                    max_tries = max_tries.max(tries);
                }
                Instr::End {} | Instr::Delegate { .. } => {
                    let was_try = blocks.pop() == Some(true);
                    tries -= u32::from(was_try);
                }
                _ => {}
            }
            let bits = match instr {
                Instr::I32Const { value } => value.bits(),
                Instr::I64Const { value } => value.bits(),
                Instr::F32Const { value } => value.bits(),
                Instr::F64Const { value } => value.bits(),
                Instr::V128Const { value } => value.bits(),
                Instr::RefNull { .. } => (0, 0, false),
                _ => continue,
            };
            add(bits, &mut init);
        }
        let exn_base = param_slots + init.len() as u32;
        if exn_base + max_tries + 16 >= MAX_FRAME {
            return Err(too_big());
        }
        init.resize(init.len() + max_tries as usize, 0);
        let fixed = param_slots + init.len() as u32;
        let temp_base = fixed.max(slots(&ty.results));
        if temp_base + 16 >= MAX_FRAME {
            return Err(too_big());
        }
        Ok(Translator {
            m,
            code: Vec::with_capacity(code.body.bytes.len() / 2 + 4),
            shuffles: Vec::new(),
            stack: Vec::new(),
            ctrls: Vec::new(),
            labels: Vec::new(),
            locals,
            param_slots,
            consts,
            init,
            temp_base,
            max_height: 0,
            local_refs: 0,
            last_producer: None,
            acc_capable: false,
            modes: Vec::new(),
            jump_labels: Vec::new(),
            last_bind: usize::MAX,
            reachable: true,
            dead_depth: 0,
            fuel: m.engine.config().consume_fuel,
            epoch: m.engine.config().epoch_interruption,
            fuel_site: None,
            results: &ty.results,
            catches: Vec::new(),
            exn_base,
            at: code.body.offset as u32,
            offsets: Vec::new(),
        })
    }

    fn finish(mut self) -> Result<CompiledFunc> {
        thread_jumps(&mut self.code);
        let mut f = CompiledFunc::new(
            super::exec::thread(self.code, &self.modes)?,
            self.shuffles.into_boxed_slice(),
            self.param_slots as usize,
            self.init.into_boxed_slice(),
            (self.temp_base + self.max_height) as usize,
        );
        f.catches = self.catches.into_boxed_slice();
        f.offsets = self.offsets.into_boxed_slice();
        Ok(f)
    }

    fn run(&mut self, code: &Code<'_>) -> Result<()> {
        let label = self.new_label();
        self.ctrls.push(Ctrl {
            kind: CtrlKind::Func,
            label,
            else_label: label,
            height: 0,
            pos: 0,
            params: &[],
            results: self.results,
            try_start: 0,
            try_end: 0,
            catches: Vec::new(),
            exn_slot: NO_SLOT,
        });
        self.fuel_point();
        let features = self.m.engine.config().features;
        let mut r = Reader::new_at(&code.body.bytes, code.body.offset, features);
        while !self.ctrls.is_empty() {
            self.at = r.offset() as u32;
            let instr = r.read_instr().map_err(|e| e.to_string())?;
            if !self.reachable {
                match instr {
                    Instr::Block { .. }
                    | Instr::Loop { .. }
                    | Instr::If { .. }
                    | Instr::TryTable { .. }
                    | Instr::Try { .. } => {
                        self.dead_depth += 1;
                        continue;
                    }
                    // `delegate` ends its `try` block like `end`.
                    Instr::End {} | Instr::Delegate { .. } if self.dead_depth > 0 => {
                        self.dead_depth -= 1;
                        continue;
                    }
                    Instr::End {}
                    | Instr::Else {}
                    | Instr::Catch { .. }
                    | Instr::CatchAll {}
                    | Instr::Delegate { .. }
                        if self.dead_depth == 0 => {}
                    _ => continue,
                }
            }
            if let Some(site) = self.fuel_site {
                if let Op::Fuel { amount } = &mut self.code[site] {
                    *amount = amount.saturating_add(1);
                }
            }
            visit(self, instr)?;
        }
        Ok(())
    }

    // ---- code emission ----------------------------------------------------

    fn emit(&mut self, op: Op) -> usize {
        // Two moves in a row become one instruction, unless the second is
        // a jump target.
        if let (Op::Move { dst: d2, src: s2 }, Some(&Op::Move { dst: d1, src: s1 })) =
            (op, self.code.last())
        {
            if self.last_bind != self.code.len() {
                let i = self.code.len() - 1;
                self.code[i] = Op::Move2 { d1, s1, d2, s2 };
                self.last_producer = None;
                return i;
            }
        }
        self.code.push(op);
        self.modes.push(0);
        self.jump_labels.push(NO_LABEL);
        self.last_producer = None;
        let i = self.code.len() - 1;
        if self.offsets.last().map(|r| r.1) != Some(self.at) {
            self.offsets.push((i as u32, self.at));
        }
        i
    }

    /// Removes the last instruction (replaced by a fused one). If it read
    /// the accumulator and `keep_in` is false, the previous instruction
    /// writes its result to its slot again.
    fn unemit(&mut self, keep_in: bool) -> u8 {
        self.code.pop();
        // A fused instruction takes the offset of the instruction that
        // fuses it (the access of an address fusion, which is what traps).
        if self.offsets.last().map(|r| r.0 as usize) == Some(self.code.len()) {
            self.offsets.pop();
        }
        self.jump_labels.pop();
        let m = self.modes.pop().unwrap_or(0);
        if acc_inputs(m) != 0 && !keep_in {
            if let Some(p) = self.modes.last_mut() {
                *p &= !(ACC_OUT | SLOT_TOO);
            }
        }
        self.last_producer = None;
        m
    }

    /// As `unemit`, for a fusion whose first instruction is the one that
    /// may trap (a load): the fused instruction keeps its offset.
    fn unemit_first(&mut self, keep_in: bool) -> u8 {
        if let Some(&(_, at)) = self.offsets.last() {
            self.at = at;
        }
        self.unemit(keep_in)
    }

    /// The accumulator bit `bit` if operand `o` is the value the previous
    /// instruction just computed and it can pass it in the accumulator.
    /// For a temporary, the producer then no longer writes its slot (`o`
    /// was popped, and temporaries are read once); for a local it does
    /// (`KEEP_SLOT`, which `emit_acc` turns into `SLOT_TOO`).
    fn acc_bit(&self, o: &Operand, bit: u8) -> u8 {
        match self.last_producer {
            Some(i) if self.acc_capable && i + 1 == self.code.len() && o.kind != Kind::Const => {
                let mut op = self.code[i];
                match op.dst_mut() {
                    Some(d) if *d == o.slot && o.kind == Kind::Temp => bit,
                    Some(d) if *d == o.slot => bit | KEEP_SLOT,
                    _ => 0,
                }
            }
            _ => 0,
        }
    }

    /// Emits `op` in mode `bits` (`ACC_*`, `ADDR_ADD`); if it reads the
    /// accumulator, makes the previous instruction write it.
    fn emit_acc(&mut self, op: Op, bits: u8) -> usize {
        if acc_inputs(bits) != 0 {
            if let Some(p) = self.modes.last_mut() {
                *p |= ACC_OUT;
                if bits & KEEP_SLOT != 0 {
                    *p |= SLOT_TOO;
                }
            }
        }
        let i = self.emit(op);
        self.modes[i] = bits & !KEEP_SLOT;
        i
    }

    fn fuel_point(&mut self) {
        if self.epoch {
            self.emit(Op::Epoch);
        }
        if self.fuel {
            let i = self.emit(Op::Fuel { amount: 0 });
            self.fuel_site = Some(i);
        }
    }

    fn new_label(&mut self) -> usize {
        self.labels.push(Label::default());
        self.labels.len() - 1
    }

    /// Binds `label` to the next instruction.
    fn bind(&mut self, label: usize) {
        let target = self.code.len();
        let patches = std::mem::take(&mut self.labels[label].patches);
        for p in patches {
            if let Some(off) = self.code[p].offset_mut() {
                *off = (target as i64 - p as i64) as i32;
            }
        }
        self.labels[label].target = Some(target);
        self.last_bind = target;
        self.last_producer = None;
    }

    /// Emits a branch instruction to `label`, reading the accumulator as
    /// `bits` say.
    fn emit_jump(&mut self, op: Op, label: usize, bits: u8) {
        let i = self.emit_acc(op, bits);
        self.jump_labels[i] = label as u32;
        let l = &mut self.labels[label];
        l.used = true;
        match l.target {
            Some(t) => {
                if let Some(off) = self.code[i].offset_mut() {
                    *off = (t as i64 - i as i64) as i32;
                }
            }
            None => l.patches.push(i),
        }
    }

    // ---- the operand stack ------------------------------------------------

    fn next_pos(&self) -> u32 {
        self.stack.last().map_or(0, |o| o.pos + o.width())
    }

    fn push(&mut self, kind: Kind, slot: Slot, wide: bool) -> Result<Operand> {
        let pos = self.next_pos();
        let w = 1 + wide as u32;
        if self.temp_base + pos + w > MAX_FRAME - 2 {
            return Err("function too large: operand stack exceeds 65536 slots".into());
        }
        self.max_height = self.max_height.max(pos + w);
        let slot = if kind == Kind::Temp {
            (self.temp_base + pos) as Slot
        } else {
            slot
        };
        if kind == Kind::Local {
            self.local_refs += 1;
        }
        let o = Operand {
            kind,
            slot,
            wide,
            pos,
        };
        self.stack.push(o);
        Ok(o)
    }

    fn push_temp(&mut self, wide: bool) -> Result<Slot> {
        Ok(self.push(Kind::Temp, 0, wide)?.slot)
    }

    fn pop(&mut self) -> Result<Operand> {
        let o = self
            .stack
            .pop()
            .ok_or("internal error: operand stack underflow")?;
        if o.kind == Kind::Local {
            self.local_refs -= 1;
        }
        Ok(o)
    }

    fn pop_slot(&mut self) -> Result<Slot> {
        Ok(self.pop()?.slot)
    }

    /// Pushes a temporary for the result of `make(dst)` and emits it.
    fn produce(&mut self, wide: bool, make: impl FnOnce(Slot) -> Op) -> Result<()> {
        self.produce_acc(false, 0, wide, make)
    }

    /// Like `produce`, for instructions whose handlers use the accumulator:
    /// `bits` say which operand comes from it, `capable` whether the result
    /// may go to it.
    fn produce_acc(
        &mut self,
        capable: bool,
        bits: u8,
        wide: bool,
        make: impl FnOnce(Slot) -> Op,
    ) -> Result<()> {
        let dst = self.push_temp(wide)?;
        let i = self.emit_acc(make(dst), bits);
        self.last_producer = Some(i);
        self.acc_capable = capable;
        Ok(())
    }

    fn move_op(dst: Slot, src: Slot, wide: bool) -> Op {
        if wide {
            Op::Move128 { dst, src }
        } else {
            Op::Move { dst, src }
        }
    }

    /// Copies stack entry `i` to its canonical temporary if it is not one.
    fn materialize(&mut self, i: usize) {
        let o = self.stack[i];
        if o.kind == Kind::Temp {
            return;
        }
        let dst = (self.temp_base + o.pos) as Slot;
        self.emit(Self::move_op(dst, o.slot, o.wide));
        if o.kind == Kind::Local {
            self.local_refs -= 1;
        }
        self.stack[i] = Operand {
            kind: Kind::Temp,
            slot: dst,
            ..o
        };
    }

    /// Materializes the top `n` entries.
    fn materialize_top(&mut self, n: usize) -> Result<()> {
        let len = self.stack.len();
        if n > len {
            return Err("internal error: operand stack underflow".into());
        }
        for i in len - n..len {
            self.materialize(i);
        }
        Ok(())
    }

    /// Preserves every entry that reads local slot `slot`.
    fn preserve_local(&mut self, slot: Slot) {
        if self.local_refs == 0 {
            return;
        }
        for i in 0..self.stack.len() {
            let o = self.stack[i];
            if o.kind == Kind::Local && o.slot == slot {
                self.materialize(i);
            }
        }
    }

    /// Preserves every entry that reads a local.
    fn preserve_all_locals(&mut self) {
        if self.local_refs == 0 {
            return;
        }
        for i in 0..self.stack.len() {
            if self.stack[i].kind == Kind::Local {
                self.materialize(i);
            }
        }
    }

    fn local(&self, l: LocalIdx) -> Result<(Slot, bool)> {
        self.locals
            .get(l.index())
            .copied()
            .ok_or_else(|| format!("internal error: unknown local {l}"))
    }

    fn constant(&mut self, bits: (u64, u64, bool)) -> Result<()> {
        match self.consts.get(&bits) {
            Some(&slot) => {
                self.push(Kind::Const, slot, bits.2)?;
            }
            None => {
                let dst = self.push_temp(bits.2)?;
                self.emit(Op::Const64 { dst, value: bits.0 });
                if bits.2 {
                    self.emit(Op::Const64 {
                        dst: dst + 1,
                        value: bits.1,
                    });
                }
            }
        }
        Ok(())
    }

    // ---- branches ---------------------------------------------------------

    /// Whether the top `n` entries (of slot width `w`) already sit in the
    /// canonical temporaries starting at `pos`.
    fn in_place(&self, n: usize, w: u32, pos: u32) -> bool {
        let len = self.stack.len();
        n == 0
            || (self.stack[len - n..].iter().all(|o| o.kind == Kind::Temp)
                && self.next_pos() - w == pos)
    }

    /// Copies the top `n` entries to the canonical temporaries starting at
    /// `pos` (sources are at or above their destinations, so copying in
    /// order is safe).
    fn copy_top_to(&mut self, n: usize, pos: u32) {
        let len = self.stack.len();
        let mut dst = self.temp_base + pos;
        for i in len - n..len {
            let o = self.stack[i];
            if o.slot as u32 != dst || o.kind != Kind::Temp {
                self.emit(Self::move_op(dst as Slot, o.slot, o.wide));
            }
            dst += o.width();
        }
    }

    /// Emits the return of the top stack entries (the function's results).
    fn emit_return(&mut self) -> Result<()> {
        let n = self.results.len();
        let len = self.stack.len();
        if n > len {
            return Err("internal error: operand stack underflow".into());
        }
        match n {
            0 => {
                self.emit(Op::Ret);
            }
            1 => {
                let o = self.stack[len - 1];
                self.emit(if o.wide {
                    Op::Ret128 { src: o.slot }
                } else {
                    Op::Ret1 { src: o.slot }
                });
            }
            _ => {
                let mut d = 0u32;
                let mut conflict = false;
                for o in &self.stack[len - n..] {
                    if (o.slot as u32) < d {
                        conflict = true;
                    }
                    d += o.width();
                }
                if conflict {
                    self.materialize_top(n)?;
                }
                let mut d = 0u32;
                for i in len - n..len {
                    let o = self.stack[i];
                    if o.slot as u32 != d {
                        self.emit(Self::move_op(d as Slot, o.slot, o.wide));
                    }
                    d += o.width();
                }
                self.emit(Op::Ret);
            }
        }
        Ok(())
    }

    fn ctrl_at(&self, depth: LabelIdx) -> Result<usize> {
        let d = depth.index();
        if d >= self.ctrls.len() {
            return Err(format!("internal error: unknown label {depth}"));
        }
        Ok(self.ctrls.len() - 1 - d)
    }

    /// Emits an unconditional branch to the frame at `ci` with its values
    /// on top of the stack (left in place).
    fn branch_to(&mut self, ci: usize) -> Result<()> {
        let c = &self.ctrls[ci];
        if c.kind == CtrlKind::Func {
            return self.emit_return();
        }
        let types = c.label_types();
        let (n, w, pos, label) = (types.len(), slots(types), c.pos, c.label);
        let is_loop = c.kind == CtrlKind::Loop;
        if !self.in_place(n, w, pos) {
            self.copy_top_to(n, pos);
        }
        if is_loop && self.rotate_loop(label) {
            return Ok(());
        }
        self.emit_jump(Op::Jump { offset: 0 }, label, 0);
        Ok(())
    }

    /// Loop rotation: a branch back to a loop whose first instruction is a
    /// conditional exit `if c goto E` becomes `if !c goto start + 1; goto
    /// E`, so that each iteration dispatches one branch instead of two.
    /// The copy sees the state the loop's start would (the branch's values
    /// are in place), so it computes the same. Not with fuel: the loop's
    /// start is then its fuel charge.
    fn rotate_loop(&mut self, loop_label: usize) -> bool {
        let Some(start) = self.labels[loop_label].target else {
            return false;
        };
        let (Some(&head), Some(&exit)) = (self.code.get(start), self.jump_labels.get(start)) else {
            return false;
        };
        // The copy reads no accumulator; it may add its address operands.
        let mode = self.modes[start];
        if exit == NO_LABEL || mode & !ADDR_ADD != 0 {
            return false;
        }
        let Some(neg) = negate_branch(head) else {
            return false;
        };
        let mut neg = if mode == 0 {
            self.fuse_add_in_slot(neg)
        } else {
            neg
        };
        let i = self.code.len();
        if let Some(off) = neg.offset_mut() {
            *off = (start as i64 + 1 - i as i64) as i32;
        }
        let i = self.emit(neg);
        self.modes[i] = mode;
        self.emit_jump(Op::Jump { offset: 0 }, exit as usize, 0);
        true
    }

    /// Like [`fuse_add`](Self::fuse_add), for a conditional jump `op`
    /// that reads the sum from its slot (the rotated copy of a loop's
    /// exit test, typically after `i += 1`): the `i32.add` just emitted,
    /// which uses no accumulator, and `op` become one instruction.
    fn fuse_add_in_slot(&mut self, op: Op) -> Op {
        let Some(&Op::I32Add(add)) = self.code.last() else {
            return op;
        };
        if self.modes.last() != Some(&0) {
            return op;
        }
        match add_branch(op, add, None) {
            Some(fused) => {
                self.unemit(true);
                fused
            }
            None => op,
        }
    }

    /// Whether a branch to frame `ci` is a plain jump (no copies, no
    /// return).
    fn is_plain_branch(&self, ci: usize) -> bool {
        let c = &self.ctrls[ci];
        if c.kind == CtrlKind::Func {
            return false;
        }
        let types = c.label_types();
        self.in_place(types.len(), slots(types), c.pos)
    }

    /// Emits a jump to `label` taken if `cond` is non-zero (`when` true) or
    /// zero (`when` false), fusing a just computed comparison into it.
    fn cond_jump(&mut self, cond: Operand, when: bool, label: usize) {
        let fused = match self.last_producer {
            Some(i) if i + 1 == self.code.len() && cond.kind == Kind::Temp => {
                fuse(&self.code[i], cond.slot, when)
            }
            _ => None,
        };
        let fused = match fused {
            // The fused jump reads the comparison's operands as it did.
            Some(op) => Some((op, ACC_IN_L | ACC_IN_R)),
            // A jump on a loaded value: the load's address as it was.
            None => self
                .load_jump(&cond, when)
                .map(|op| (op, ACC_IN_L | ADDR_ADD)),
        };
        let (op, bits) = match fused {
            Some((op, keep)) => (op, self.unemit_first(true) & keep),
            None if when => (
                Op::JumpIfNez {
                    cond: cond.slot,
                    offset: 0,
                },
                self.acc_bit(&cond, ACC_IN_L),
            ),
            None => (
                Op::JumpIfEqz {
                    cond: cond.slot,
                    offset: 0,
                },
                self.acc_bit(&cond, ACC_IN_L),
            ),
        };
        let (op, bits) = self.fuse_add(op, bits);
        self.emit_jump(op, label, bits);
    }

    /// The fused load-and-jump for a jump on `cond` taken if it is not
    /// zero (`when`) or zero, if `cond` is the temporary that the
    /// `i32.load` or `i32.load8_u` just emitted loaded.
    fn load_jump(&self, cond: &Operand, when: bool) -> Option<Op> {
        let i = self.last_producer?;
        if cond.kind != Kind::Temp || i + 1 != self.code.len() {
            return None;
        }
        let (l, wide) = match self.code[i] {
            Op::I32Load(l) => (l, true),
            Op::I32Load8U(l) => (l, false),
            _ => return None,
        };
        // Not if the load also writes a local (`SUM_TOO`).
        if l.dst != cond.slot || self.modes[i] & (ADDR_ADD | SUM_TOO) == ADDR_ADD | SUM_TOO {
            return None;
        }
        let (addr, idx, offset, jump) = (l.addr, l.idx, l.offset, 0);
        Some(match (wide, when) {
            (true, true) => Op::LoadJumpIfNez {
                addr,
                idx,
                offset,
                jump,
            },
            (true, false) => Op::LoadJumpIfEqz {
                addr,
                idx,
                offset,
                jump,
            },
            (false, true) => Op::Load8JumpIfNez {
                addr,
                idx,
                offset,
                jump,
            },
            (false, false) => Op::Load8JumpIfEqz {
                addr,
                idx,
                offset,
                jump,
            },
        })
    }

    /// Fuses an i32 compare-and-branch that takes one operand from the
    /// accumulator (`bits`) with the `i32.add` just before it that computed
    /// that operand: the add is removed and the fused jump returned.
    fn fuse_add(&mut self, op: Op, bits: u8) -> (Op, u8) {
        let Some(&Op::I32Add(add)) = self.code.last() else {
            return (op, bits);
        };
        // The add writes the accumulator (and maybe its slot), and reads no
        // accumulator itself (so nothing before it changes).
        let in_bits = bits & !KEEP_SLOT;
        if self.modes.last().map(|m| m & !SLOT_TOO) != Some(ACC_OUT)
            || !(in_bits == ACC_IN_L || in_bits == ACC_IN_R)
        {
            return (op, bits);
        }
        let Some(fused) = add_branch(op, add, Some(in_bits == ACC_IN_R)) else {
            return (op, bits);
        };
        self.unemit(true);
        (fused, 0)
    }

    /// Fuses the `i32.add` just emitted into the memory access whose
    /// address `addr` it computed: removes it and returns the access's
    /// `addr`, `idx` and mode (`ADDR_ADD`, and `ACC_IN_L` if the add read
    /// one operand from the accumulator, which becomes `addr`). The sum
    /// is a temporary, read only by the access.
    ///
    /// For a load (`sum`), the add may also have computed a local that
    /// the access reads (`local.tee`): the access then writes it too
    /// ([`SUM_TOO`], to `addr`'s slot).
    fn fuse_address(&mut self, addr: &Operand, sum: bool) -> Option<(Slot, Slot, u8)> {
        let i = self.last_producer?;
        let sum_too = match addr.kind {
            Kind::Temp => 0,
            Kind::Local if sum => SUM_TOO,
            _ => return None,
        };
        if i + 1 != self.code.len() {
            return None;
        }
        let Op::I32Add(add) = self.code[i] else {
            return None;
        };
        if add.dst != addr.slot {
            return None;
        }
        let m = self.unemit(true);
        Some(if m & ACC_IN_R != 0 {
            (add.rhs, add.lhs, ADDR_ADD | sum_too | ACC_IN_L)
        } else {
            (add.lhs, add.rhs, ADDR_ADD | sum_too | (m & ACC_IN_L))
        })
    }

    /// Fuses binary operator `op2` (tag), whose operands are `lhs` and
    /// `rhs` and which takes one of them from the accumulator (`bits`),
    /// with the binary operator just emitted that computed it, if the two
    /// form one of the [`PAIRS`]: removes that one and returns the pair's
    /// `a`, `b`, `c`, index and mode (`ACC_IN_L` if `a` comes from the
    /// accumulator).
    fn fuse_pair(
        &mut self,
        op2: u16,
        bits: u8,
        lhs: Slot,
        rhs: Slot,
    ) -> Option<(Slot, Slot, Slot, u16, u8)> {
        // The first result must be a temporary that only `op2` reads.
        let c = other_operand(op2, bits, lhs, rhs)?;
        let (op1, a, b, mode) = self.last_bin()?;
        let pair = PAIRS.iter().position(|&p| p == (op1, op2))? as u16;
        self.unemit(true);
        Some((a, b, c, pair, mode))
    }

    /// The binary operator just emitted: its tag, operands `a` and `b`, and
    /// mode (`ACC_IN_L` if `a` comes from the accumulator; a commutative
    /// one that takes its right operand from there is read swapped).
    fn last_bin(&self) -> Option<(u16, Slot, Slot, u8)> {
        let (op1, bin) = self.code.last()?.as_bin()?;
        // (The next instruction is not emitted yet: no `ACC_OUT` yet.)
        match *self.modes.last()? {
            0 => Some((op1, bin.lhs, bin.rhs, 0)),
            ACC_IN_L => Some((op1, bin.lhs, bin.rhs, ACC_IN_L)),
            ACC_IN_R if commutes(op1) => Some((op1, bin.rhs, bin.lhs, ACC_IN_L)),
            _ => None,
        }
    }

    /// Like [`fuse_pair`](Self::fuse_pair), for a load just emitted whose
    /// value `op2` takes from the accumulator: returns the load, `c`, the
    /// index in [`LOAD_PAIRS`] and the load's address mode.
    fn fuse_load_pair(
        &mut self,
        op2: u16,
        bits: u8,
        lhs: Slot,
        rhs: Slot,
    ) -> Option<(Load, Slot, u16, u8)> {
        let c = other_operand(op2, bits, lhs, rhs)?;
        let (op1, load) = self.code.last()?.as_load()?;
        let mode = *self.modes.last()?;
        if mode & !(ACC_IN_L | ADDR_ADD) != 0 {
            return None;
        }
        let pair = LOAD_PAIRS.iter().position(|&p| p == (op1, op2))? as u16;
        self.unemit_first(true);
        Some((load, c, pair, mode))
    }

    /// Fuses store `op2` (tag), whose value is the temporary that the
    /// binary operator just emitted computed (and passes in the
    /// accumulator), with that operator, if the two are one of the
    /// [`STORE_PAIRS`]: removes the operator and returns its operands `a`
    /// and `b`, the pair's index and mode (`ACC_IN_L` for `a`).
    fn fuse_store_pair(&mut self, op2: u16) -> Option<(Slot, Slot, u16, u8)> {
        let (op1, a, b, mode) = self.last_bin()?;
        let pair = STORE_PAIRS.iter().position(|&p| p == (op1, op2))? as u16;
        self.unemit(true);
        Some((a, b, pair, mode))
    }

    // ---- blocks -----------------------------------------------------------

    fn block_sig(&self, bt: BlockType) -> Result<(&'m [ValType], &'m [ValType])> {
        Ok(match bt {
            BlockType::Empty => (&[], &[]),
            BlockType::Value(t) => (&[], one(t)),
            BlockType::Func(i) => {
                let ft = self
                    .m
                    .module
                    .types
                    .func(i)
                    .ok_or("internal error: unknown type")?;
                (&ft.params, &ft.results)
            }
        })
    }

    fn enter(&mut self, kind: CtrlKind, bt: BlockType) -> Result<()> {
        let (params, results) = self.block_sig(bt)?;
        self.preserve_all_locals();
        let n = params.len();
        self.materialize_top(n)?;
        let height = self.stack.len() - n;
        let pos = self.next_pos() - slots(params);
        let label = self.new_label();
        let else_label = if kind == CtrlKind::If {
            self.new_label()
        } else {
            label
        };
        self.ctrls.push(Ctrl {
            kind,
            label,
            else_label,
            height,
            pos,
            params,
            results,
            try_start: 0,
            try_end: 0,
            catches: Vec::new(),
            exn_slot: NO_SLOT,
        });
        Ok(())
    }

    /// The first instruction of a try block's body: nothing before it
    /// fuses with what follows, so that the body's instructions stay inside
    /// its range.
    fn try_start(&mut self) -> u32 {
        self.last_producer = None;
        self.last_bind = self.code.len();
        self.code.len() as u32
    }

    /// The type of tag `tag`.
    fn tag_type(&self, tag: TagIdx) -> Result<&'m FuncType> {
        let t = self
            .m
            .tag_types
            .get(tag.index())
            .ok_or("internal error: unknown tag")?;
        self.m
            .module
            .types
            .func(t.ty)
            .ok_or_else(|| "internal error: a tag without a function type".to_string())
    }

    /// Ends the code before a landing pad: if it flows on, its values go to
    /// the label of block `ci`, and a jump there.
    fn close_body(&mut self, ci: usize) {
        if !self.reachable {
            return;
        }
        let c = &self.ctrls[ci];
        let (results, pos, label) = (c.results, c.pos, c.label);
        if !self.in_place(results.len(), slots(results), pos) {
            self.copy_top_to(results.len(), pos);
        }
        self.emit_jump(Op::Jump { offset: 0 }, label, 0);
    }

    /// Starts a landing pad with the stack at `height` plus `types` in
    /// canonical temporaries; the pad's instruction index and the slot of
    /// the first value.
    fn landing_pad(&mut self, height: usize, types: &[ValType]) -> Result<(u32, Slot)> {
        self.reset_stack(height, types)?;
        let first = self.stack.len() - types.len();
        let slot = match self.stack.get(first) {
            Some(o) if !types.is_empty() => o.slot,
            _ => NO_SLOT,
        };
        let pad = self.new_label();
        self.bind(pad);
        self.reachable = true;
        Ok((self.code.len() as u32, slot))
    }

    /// `end` of a `try_table` with catch clauses: after its body, a
    /// landing pad per clause, which the unwinder enters with the payload
    /// (and the exception) in canonical temporaries above the block's
    /// height, and which branches to the clause's label from there.
    fn end_try_table(&mut self) -> Result<()> {
        let ci = self.ctrls.len() - 1;
        let end = self.code.len() as u32;
        self.close_body(ci);
        let c = self.ctrls.pop().ok_or("internal error: end")?;
        let mut exn_types = Vec::new();
        for clause in &c.catches {
            let (kind, label, with_ref) = match *clause {
                Catch::One { tag, label } => (CatchKind::Tag(tag.0), label, false),
                Catch::OneRef { tag, label } => (CatchKind::Tag(tag.0), label, true),
                Catch::All { label } => (CatchKind::All, label, false),
                Catch::AllRef { label } => (CatchKind::All, label, true),
            };
            exn_types.clear();
            if let CatchKind::Tag(tag) = kind {
                exn_types.extend_from_slice(&self.tag_type(TagIdx(tag))?.params);
            }
            let payload_len = exn_types.len();
            if with_ref {
                exn_types.push(ValType::Ref(RefType {
                    nullable: false,
                    heap: HeapType::Exn,
                }));
            }
            let (pad, first) = self.landing_pad(c.height, &exn_types)?;
            let slot_of = |t: &Self, i: usize| t.stack[t.stack.len() - exn_types.len() + i].slot;
            let payload = if payload_len > 0 { first } else { NO_SLOT };
            let exn = if with_ref {
                slot_of(self, payload_len)
            } else {
                NO_SLOT
            };
            let target = self.ctrl_at(label)?;
            self.branch_to(target)?;
            self.reachable = false;
            self.catches.push(CatchEntry {
                start: c.try_start,
                end,
                kind,
                pad,
                payload,
                exn,
                depth: ci as u32,
            });
        }
        let reachable_after = self.labels[c.label].used;
        self.bind(c.label);
        self.reset_stack(c.height, c.results)?;
        self.reachable = reachable_after;
        Ok(())
    }

    /// `catch` or `catch_all` of a legacy `try`: the body before it (the
    /// try body, or the previous catch body) branches to the block's end,
    /// and a catch body starts, entered by the unwinder with the payload in
    /// canonical temporaries and the exception in the block's slot.
    fn legacy_catch(&mut self, kind: CatchKind) -> Result<()> {
        let ci = self.ctrls.len() - 1;
        if self.ctrls[ci].kind == CtrlKind::Try {
            self.ctrls[ci].try_end = self.code.len() as u32;
        }
        self.close_body(ci);
        let c = &self.ctrls[ci];
        let (height, start, end, exn) = (c.height, c.try_start, c.try_end, c.exn_slot);
        let payload_types: &[ValType] = match kind {
            CatchKind::Tag(tag) => &self.tag_type(TagIdx(tag))?.params,
            _ => &[],
        };
        let (pad, payload) = self.landing_pad(height, payload_types)?;
        self.ctrls[ci].kind = CtrlKind::Catch;
        self.catches.push(CatchEntry {
            start,
            end,
            kind,
            pad,
            payload,
            exn,
            depth: ci as u32,
        });
        Ok(())
    }

    /// Resets the stack to the frame's height plus `types` in canonical
    /// temporaries.
    fn reset_stack(&mut self, height: usize, types: &[ValType]) -> Result<()> {
        while self.stack.len() > height {
            self.pop()?;
        }
        for &t in types {
            self.push_temp(wide(t))?;
        }
        Ok(())
    }
}

/// For binary operator `op2` (tag) with operands `lhs` and `rhs`, one of
/// which is a temporary it takes from the accumulator (`bits`): the other
/// one, seen as the right operand (swapped if `op2` commutes).
fn other_operand(op2: u16, bits: u8, lhs: Slot, rhs: Slot) -> Option<Slot> {
    // A local's value must reach its slot: only a temporary fuses away.
    if bits & KEEP_SLOT != 0 {
        return None;
    }
    match bits & (ACC_IN_L | ACC_IN_R) {
        ACC_IN_L => Some(rhs),
        ACC_IN_R if commutes(op2) => Some(lhs),
        _ => None,
    }
}

/// Whether integer operator `tag` is commutative (floats are left alone:
/// swapping operands could change which NaN payload propagates).
fn commutes(tag: u16) -> bool {
    [
        RowTag::I32Add,
        RowTag::I32Mul,
        RowTag::I32And,
        RowTag::I32Or,
        RowTag::I32Xor,
        RowTag::I64Add,
        RowTag::I64Mul,
        RowTag::I64And,
        RowTag::I64Or,
        RowTag::I64Xor,
    ]
    .into_iter()
    .any(|t| t as u16 == tag)
}

/// The accumulator inputs of mode `m`: with `ADDR_ADD`, bit `ACC_IN_R`
/// is `SUM_TOO` (a fused access never takes its value from the
/// accumulator).
fn acc_inputs(m: u8) -> u8 {
    if m & ADDR_ADD != 0 {
        m & ACC_IN_L
    } else {
        m & (ACC_IN_L | ACC_IN_R)
    }
}

/// A flag of `acc_bit` results: the operand is a local, whose slot its
/// producer must write as well (never stored in `modes`).
const KEEP_SLOT: u8 = 0x80;

/// The fused add-and-jump (`AddBrI32*`, `AddJumpIf*`) for conditional
/// jump `op`, one of whose operands is the sum `add` computes: the one on
/// the right if `right` is `Some(true)`, on the left (or the condition) if
/// `Some(false)`; if `None`, the operand that reads `add.dst` (and the
/// other must not).
fn add_branch(op: Op, add: Bin, right: Option<bool>) -> Option<Op> {
    let (dst, a, b) = (add.dst, add.lhs, add.rhs);
    macro_rules! pick {
        ($($br:ident => $fused:ident $swapped:ident,)* ; $($jz:ident => $zfused:ident,)*) => {
            match op {
                $( Op::$br { lhs, rhs, offset } => {
                    let right = match right {
                        Some(r) => r,
                        None if lhs == dst && rhs != dst => false,
                        None if rhs == dst && lhs != dst => true,
                        None => return None,
                    };
                    // `x op v` with the sum `v` on the right is `v op' x`.
                    Some(if right {
                        Op::$swapped { dst, a, b, rhs: lhs, offset }
                    } else {
                        Op::$fused { dst, a, b, rhs, offset }
                    })
                } )*
                $( Op::$jz { cond, offset } => match right {
                    Some(false) => Some(Op::$zfused { dst, a, b, offset }),
                    None if cond == dst => Some(Op::$zfused { dst, a, b, offset }),
                    _ => None,
                }, )*
                _ => None,
            }
        };
    }
    pick! {
        BrI32Eq => AddBrI32Eq AddBrI32Eq,
        BrI32Ne => AddBrI32Ne AddBrI32Ne,
        BrI32LtS => AddBrI32LtS AddBrI32GtS,
        BrI32LtU => AddBrI32LtU AddBrI32GtU,
        BrI32GtS => AddBrI32GtS AddBrI32LtS,
        BrI32GtU => AddBrI32GtU AddBrI32LtU,
        BrI32LeS => AddBrI32LeS AddBrI32GeS,
        BrI32LeU => AddBrI32LeU AddBrI32GeU,
        BrI32GeS => AddBrI32GeS AddBrI32LeS,
        BrI32GeU => AddBrI32GeU AddBrI32LeU,
        ;
        JumpIfNez => AddJumpIfNez,
        JumpIfEqz => AddJumpIfEqz,
    }
}

/// `jump_labels` entry of instructions that are not branches to a label.
const NO_LABEL: u32 = u32::MAX;

/// The conditional branch that jumps exactly when `op` does not (with the
/// same side effects), if `op` is one.
fn negate_branch(op: Op) -> Option<Op> {
    macro_rules! pairs {
        ($($a:ident $b:ident,)* ; $($za:ident $zb:ident,)* ; $($aa:ident $ab:ident,)*) => {
            match op {
                $(
                    Op::$a { lhs, rhs, offset } => Op::$b { lhs, rhs, offset },
                    Op::$b { lhs, rhs, offset } => Op::$a { lhs, rhs, offset },
                )*
                $(
                    Op::$za { cond, offset } => Op::$zb { cond, offset },
                    Op::$zb { cond, offset } => Op::$za { cond, offset },
                )*
                $(
                    Op::$aa { dst, a, b, rhs, offset } => Op::$ab { dst, a, b, rhs, offset },
                    Op::$ab { dst, a, b, rhs, offset } => Op::$aa { dst, a, b, rhs, offset },
                )*
                Op::AddJumpIfNez { dst, a, b, offset } => Op::AddJumpIfEqz { dst, a, b, offset },
                Op::LoadJumpIfNez { addr, idx, offset, jump } => Op::LoadJumpIfEqz { addr, idx, offset, jump },
                Op::LoadJumpIfEqz { addr, idx, offset, jump } => Op::LoadJumpIfNez { addr, idx, offset, jump },
                Op::Load8JumpIfNez { addr, idx, offset, jump } => Op::Load8JumpIfEqz { addr, idx, offset, jump },
                Op::Load8JumpIfEqz { addr, idx, offset, jump } => Op::Load8JumpIfNez { addr, idx, offset, jump },
                Op::AddJumpIfEqz { dst, a, b, offset } => Op::AddJumpIfNez { dst, a, b, offset },
                _ => return None,
            }
        };
    }
    Some(pairs! {
        BrI32Eq BrI32Ne, BrI32LtS BrI32GeS, BrI32LtU BrI32GeU, BrI32GtS BrI32LeS,
        BrI32GtU BrI32LeU,
        BrI64Eq BrI64Ne, BrI64LtS BrI64GeS, BrI64LtU BrI64GeU, BrI64GtS BrI64LeS,
        BrI64GtU BrI64LeU,
        BrF32Eq BrF32Ne, BrF32Lt BrF32NotLt, BrF32Gt BrF32NotGt, BrF32Le BrF32NotLe,
        BrF32Ge BrF32NotGe,
        BrF64Eq BrF64Ne, BrF64Lt BrF64NotLt, BrF64Gt BrF64NotGt, BrF64Le BrF64NotLe,
        BrF64Ge BrF64NotGe,
        ;
        JumpIfNez JumpIfEqz,
        ;
        AddBrI32Eq AddBrI32Ne, AddBrI32LtS AddBrI32GeS, AddBrI32LtU AddBrI32GeU,
        AddBrI32GtS AddBrI32LeS, AddBrI32GtU AddBrI32LeU,
    })
}

/// Jump threading: a branch to an unconditional `Jump` goes to that
/// jump's target instead (following a few in a row).
fn thread_jumps(code: &mut [Op]) {
    for i in 0..code.len() {
        let mut op = code[i];
        let Some(off) = op.offset_mut() else {
            continue;
        };
        let mut target = i as i64 + i64::from(*off);
        for _ in 0..4 {
            match code.get(target as usize) {
                Some(Op::Jump { offset }) if target as usize != i => {
                    target += i64::from(*offset);
                }
                _ => break,
            }
        }
        *off = (target - i as i64) as i32;
        code[i] = op;
    }
}

/// The fused jump for a branch on the result of comparison `op` (which
/// wrote `cond`), if it is one that fuses.
fn fuse(op: &Op, cond: Slot, when: bool) -> Option<Op> {
    let (cmp, b, is64) = match *op {
        Op::I32Eq(b) => (Cmp::Eq, b, false),
        Op::I32Ne(b) => (Cmp::Ne, b, false),
        Op::I32LtS(b) => (Cmp::LtS, b, false),
        Op::I32LtU(b) => (Cmp::LtU, b, false),
        Op::I32GtS(b) => (Cmp::GtS, b, false),
        Op::I32GtU(b) => (Cmp::GtU, b, false),
        Op::I32LeS(b) => (Cmp::LeS, b, false),
        Op::I32LeU(b) => (Cmp::LeU, b, false),
        Op::I32GeS(b) => (Cmp::GeS, b, false),
        Op::I32GeU(b) => (Cmp::GeU, b, false),
        Op::I64Eq(b) => (Cmp::Eq, b, true),
        Op::I64Ne(b) => (Cmp::Ne, b, true),
        Op::I64LtS(b) => (Cmp::LtS, b, true),
        Op::I64LtU(b) => (Cmp::LtU, b, true),
        Op::I64GtS(b) => (Cmp::GtS, b, true),
        Op::I64GtU(b) => (Cmp::GtU, b, true),
        Op::I64LeS(b) => (Cmp::LeS, b, true),
        Op::I64LeU(b) => (Cmp::LeU, b, true),
        Op::I64GeS(b) => (Cmp::GeS, b, true),
        Op::I64GeU(b) => (Cmp::GeU, b, true),
        Op::F32Eq(b)
        | Op::F32Ne(b)
        | Op::F32Lt(b)
        | Op::F32Gt(b)
        | Op::F32Le(b)
        | Op::F32Ge(b)
        | Op::F64Eq(b)
        | Op::F64Ne(b)
        | Op::F64Lt(b)
        | Op::F64Gt(b)
        | Op::F64Le(b)
        | Op::F64Ge(b)
            if b.dst == cond =>
        {
            return Some(fuse_float(op, b.lhs, b.rhs, when));
        }
        Op::I32Eqz(u) if u.dst == cond => {
            return Some(if when {
                Op::JumpIfEqz {
                    cond: u.src,
                    offset: 0,
                }
            } else {
                Op::JumpIfNez {
                    cond: u.src,
                    offset: 0,
                }
            });
        }
        _ => return None,
    };
    if b.dst != cond {
        return None;
    }
    // A jump when the comparison fails is a jump when its negation holds
    // (integers have no unordered case).
    let cmp = if when { cmp } else { cmp.negate() };
    let (lhs, rhs, offset) = (b.lhs, b.rhs, 0);
    macro_rules! pick {
        ($($c:ident => $i32:ident $i64:ident,)*) => {
            match (cmp, is64) {
                $(
                    (Cmp::$c, false) => Op::$i32 { lhs, rhs, offset },
                    (Cmp::$c, true) => Op::$i64 { lhs, rhs, offset },
                )*
            }
        };
    }
    Some(pick! {
        Eq => BrI32Eq BrI64Eq,
        Ne => BrI32Ne BrI64Ne,
        LtS => BrI32LtS BrI64LtS,
        LtU => BrI32LtU BrI64LtU,
        GtS => BrI32GtS BrI64GtS,
        GtU => BrI32GtU BrI64GtU,
        LeS => BrI32LeS BrI64LeS,
        LeU => BrI32LeU BrI64LeU,
        GeS => BrI32GeS BrI64GeS,
        GeU => BrI32GeU BrI64GeU,
    })
}

/// The fused jump for a branch on float comparison `op` (NaN makes every
/// ordered comparison false, so "not less" is not "greater or equal").
fn fuse_float(op: &Op, lhs: Slot, rhs: Slot, when: bool) -> Op {
    let offset = 0;
    macro_rules! pick {
        ($($v:ident => $yes:ident $no:ident,)*) => {
            match op {
                $( Op::$v(_) => if when {
                    Op::$yes { lhs, rhs, offset }
                } else {
                    Op::$no { lhs, rhs, offset }
                }, )*
                _ => Op::Jump { offset },
            }
        };
    }
    pick! {
        F32Eq => BrF32Eq BrF32Ne,
        F32Ne => BrF32Ne BrF32Eq,
        F32Lt => BrF32Lt BrF32NotLt,
        F32Gt => BrF32Gt BrF32NotGt,
        F32Le => BrF32Le BrF32NotLe,
        F32Ge => BrF32Ge BrF32NotGe,
        F64Eq => BrF64Eq BrF64Ne,
        F64Ne => BrF64Ne BrF64Eq,
        F64Lt => BrF64Lt BrF64NotLt,
        F64Gt => BrF64Gt BrF64NotGt,
        F64Le => BrF64Le BrF64NotLe,
        F64Ge => BrF64Ge BrF64NotGe,
    }
}

impl Translator<'_> {
    /// Whether an access with `memarg` leaves the register fast path,
    /// which serves memory 0 with 32-bit addresses only.
    fn is_far(&self, memarg: MemArg) -> bool {
        memarg.memory.0 != 0 || self.mem_is_64(memarg.memory)
    }

    fn mem_is_64(&self, mem: MemIdx) -> bool {
        self.m.mem_types[mem.index()].addr == AddrType::I64
    }

    fn table_is_64(&self, table: TableIdx) -> bool {
        self.m.table_types[table.index()].addr == AddrType::I64
    }

    /// Narrows the stack entry `depth` below the top, an index into a
    /// 64-bit table, to an i32 that is out of bounds exactly when it is
    /// (`Op::Narrow64`), in its canonical temporary.
    fn narrow(&mut self, depth: usize) -> Result<()> {
        let i = self
            .stack
            .len()
            .checked_sub(depth + 1)
            .ok_or("internal error: operand stack underflow")?;
        self.materialize(i);
        let slot = self.stack[i].slot;
        self.emit(Op::Narrow64 {
            dst: slot,
            src: slot,
        });
        Ok(())
    }

    /// An access of table row `row` through [`Op::MemFar`]: `lane` for
    /// the lane accesses (which have a vector operand), `result` for the
    /// loads (whether their value is a v128). The offset is read from a
    /// constant's slot.
    fn far_access(
        &mut self,
        row: u16,
        memarg: MemArg,
        lane: Option<u8>,
        result: Option<bool>,
    ) -> Result<()> {
        let mem = u16::try_from(memarg.memory.0)
            .map_err(|_| "unsupported: more than 65536 memories".to_string())?;
        // Pushed above the operands, so that a constant that needs a
        // temporary does not take an operand's.
        self.constant((memarg.offset, 0, false))?;
        let off = self.pop_slot()?;
        let val = if lane.is_some() || result.is_none() {
            self.pop_slot()?
        } else {
            0
        };
        let lane = lane.unwrap_or(0);
        let addr = self.pop_slot()?;
        let make = |dst| Op::MemFar {
            row,
            dst,
            addr,
            val,
            off,
            mem,
            lane,
        };
        match result {
            Some(wide) => self.produce(wide, make),
            None => {
                self.emit(make(0));
                Ok(())
            }
        }
    }
}

impl Translator<'_> {
    /// An atomic access (threads) through [`Op::Atomic`]; the offset is
    /// read from a constant's slot, as for [`Op::MemFar`].
    fn atomic(&mut self, op: AtomicOp, memarg: MemArg) -> Result<()> {
        let mem = u16::try_from(memarg.memory.0)
            .map_err(|_| "unsupported: more than 65536 memories".to_string())?;
        self.constant((memarg.offset, 0, false))?;
        let off = self.pop_slot()?;
        let b = if op.operands() > 1 {
            self.pop_slot()?
        } else {
            0
        };
        let a = if op.operands() > 0 {
            self.pop_slot()?
        } else {
            0
        };
        let addr = self.pop_slot()?;
        let make = |dst| Op::Atomic {
            op,
            dst,
            addr,
            a,
            b,
            off,
            mem,
        };
        if op.kind() == AtomicKind::Store {
            self.emit(make(0));
            Ok(())
        } else {
            self.produce(false, make)
        }
    }

    /// `call` or, if `tail`, `return_call` (whose `TailCall` is followed
    /// by a return, which only a host callee reaches).
    fn call(&mut self, func: FuncIdx, tail: bool) -> Result<()> {
        let ty = self.m.func_type(func.0);
        let base = self.call_args(&ty.params, &ty.results)?;
        self.emit(if tail {
            Op::TailCall { base, func: func.0 }
        } else {
            Op::CallDirect { base, func: func.0 }
        });
        self.call_results(&ty.results, tail)
    }

    /// `call_indirect` or, if `tail`, `return_call_indirect`.
    fn call_indirect(&mut self, ty: TypeIdx, table: TableIdx, tail: bool) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(0)?;
        }
        let index = self.pop_slot()?;
        let ft = self
            .m
            .module
            .types
            .func(ty)
            .ok_or("internal error: unknown type")?;
        let base = self.call_args(&ft.params, &ft.results)?;
        let (ty, table) = (ty.0, table.0);
        self.emit(if tail {
            Op::TailCallTable {
                base,
                index,
                ty,
                table,
            }
        } else {
            Op::CallTable {
                base,
                index,
                ty,
                table,
            }
        });
        self.call_results(&ft.results, tail)
    }

    /// `call_ref` or, if `tail`, `return_call_ref` of function type `ty`
    /// (the reference is on top of the arguments).
    fn call_ref(&mut self, ty: TypeIdx, tail: bool) -> Result<()> {
        let callee = self.pop_slot()?;
        let ft = self
            .m
            .module
            .types
            .func(ty)
            .ok_or("internal error: unknown type")?;
        let base = self.call_args(&ft.params, &ft.results)?;
        self.emit(if tail {
            Op::TailCallFuncRef { base, callee }
        } else {
            Op::CallFuncRef { base, callee }
        });
        self.call_results(&ft.results, tail)
    }

    /// Pops a call's arguments, in canonical temporaries from the slot it
    /// returns on, where the results go too.
    fn call_args(&mut self, params: &[ValType], results: &[ValType]) -> Result<Slot> {
        let n = params.len();
        self.materialize_top(n)?;
        let base_pos = self.next_pos() - slots(params);
        for _ in 0..n {
            self.pop()?;
        }
        self.max_height = self
            .max_height
            .max(base_pos + slots(params).max(slots(results)).max(1));
        Ok((self.temp_base + base_pos) as Slot)
    }

    /// Pushes a call's results; after a tail call, returns them.
    fn call_results(&mut self, results: &[ValType], tail: bool) -> Result<()> {
        for &r in results {
            self.push_temp(wide(r))?;
        }
        if tail {
            self.Return()?;
        }
        Ok(())
    }
}

fn mem_offset(memarg: MemArg) -> Result<u32> {
    u32::try_from(memarg.offset).map_err(|_| "memory offset beyond 32 bits".to_string())
}

/// Translates one instruction: table rows by signature class, `(custom)`
/// rows by the method of the same name.
fn visit(t: &mut Translator<'_>, instr: Instr<'_>) -> Result<()> {
    macro_rules! is_wide {
        (v128) => {
            true
        };
        ($t:ident) => {
            false
        };
    }
    macro_rules! row {
        ($variant:ident (custom) {$($field:ident)*}) => {
            t.$variant($($field),*)
        };
        // Reference, array and field rows: a method each, named after the
        // variant (`translate/gc.rs`).
        ($variant:ident (ref: $($sig:tt)*) {$($field:ident)*}) => {
            t.$variant($($field),*)
        };
        ($variant:ident (array $($sig:tt)*) {$($field:ident)*}) => {
            t.$variant($($field),*)
        };
        ($variant:ident (field $($sig:tt)*) {$($field:ident)*}) => {
            t.$variant($($field),*)
        };
        ($variant:ident (atomic $al:literal : $($sig:tt)*) {$memarg:ident}) => {{
            let op = AtomicOp::of(instr.mnemonic(), $al)
                .ok_or_else(|| format!("internal error: {} is no atomic access", instr.mnemonic()))?;
            t.atomic(op, $memarg)
        }};
        ($variant:ident ( -> ) {}) => {
            Ok(())
        };
        // `atomic.fence`: one thread of execution per store, so program
        // order is already sequentially consistent.
        ($variant:ident ( -> ) {$flags:ident}) => {{
            let _ = $flags;
            Ok(())
        }};
        ($variant:ident ( -> $r:ident) {$field:ident}) => {
            t.constant($field.bits())
        };
        ($variant:ident (lane $n:literal : $a:ident -> $r:ident) {$lane:ident}) => {{
            let src = t.pop_slot()?;
            t.produce(is_wide!($r), |dst| Op::$variant(LaneUn { dst, src, lane: $lane.0 }))
        }};
        ($variant:ident (lane $n:literal : $a:ident $b:ident -> $r:ident) {$lane:ident}) => {{
            let rhs = t.pop_slot()?;
            let lhs = t.pop_slot()?;
            t.produce(is_wide!($r), |dst| Op::$variant(LaneBin { dst, lhs, rhs, lane: $lane.0 }))
        }};
        ($variant:ident (memlane $al:literal $n:literal : addr $v:ident -> $r:ident) {$memarg:ident $lane:ident}) => {{
            if t.is_far($memarg) {
                return t.far_access(RowTag::$variant as u16, $memarg, Some($lane.0), Some(true));
            }
            let offset = mem_offset($memarg)?;
            let src = t.pop_slot()?;
            let addr = t.pop_slot()?;
            t.produce(true, |dst| Op::$variant(LoadLane { dst, addr, src, lane: $lane.0, offset }))
        }};
        ($variant:ident (memlane $al:literal $n:literal : addr $v:ident -> ) {$memarg:ident $lane:ident}) => {{
            if t.is_far($memarg) {
                return t.far_access(RowTag::$variant as u16, $memarg, Some($lane.0), None);
            }
            let offset = mem_offset($memarg)?;
            let val = t.pop_slot()?;
            let addr = t.pop_slot()?;
            t.emit(Op::$variant(StoreLane { addr, val, lane: $lane.0, offset }));
            Ok(())
        }};
        ($variant:ident (mem $al:literal : addr -> $r:ident) {$memarg:ident}) => {{
            if t.is_far($memarg) {
                return t.far_access(RowTag::$variant as u16, $memarg, None, Some(is_wide!($r)));
            }
            let offset = mem_offset($memarg)?;
            let addr = t.pop()?;
            let ok = !is_wide!($r);
            let fused = if ok { t.fuse_address(&addr, true) } else { None };
            let (addr, idx, sum, bits) = match fused {
                // With `SUM_TOO` the sum goes to the local `addr` named.
                Some((a, i, bits)) => (a, i, addr.slot, bits),
                None => (addr.slot, 0, 0, if ok { t.acc_bit(&addr, ACC_IN_L) } else { 0 }),
            };
            t.produce_acc(ok, bits, is_wide!($r), |dst| Op::$variant(Load { dst, addr, idx, sum, offset }))
        }};
        ($variant:ident (mem $al:literal : addr $v:ident -> ) {$memarg:ident}) => {{
            if t.is_far($memarg) {
                return t.far_access(RowTag::$variant as u16, $memarg, None, None);
            }
            let offset = mem_offset($memarg)?;
            let val = t.pop()?;
            let addr = t.pop()?;
            let fused = if is_wide!($v) || val.kind == Kind::Temp {
                None
            } else {
                t.fuse_address(&addr, false)
            };
            let (addr, idx, bits) = match fused {
                Some(fused) => fused,
                None if is_wide!($v) => (addr.slot, 0, 0),
                None => {
                    let l = t.acc_bit(&addr, ACC_IN_L);
                    (addr.slot, 0, if l != 0 { l } else { t.acc_bit(&val, ACC_IN_R) })
                }
            };
            if bits == ACC_IN_R {
                if let Some((a, b, pair, mode)) = t.fuse_store_pair(RowTag::$variant as u16) {
                    t.emit_acc(Op::StorePair { addr, a, b, pair, offset }, mode);
                    return Ok(());
                }
            }
            let val = val.slot;
            t.emit_acc(Op::$variant(MemStore { addr, val, idx, offset }), bits);
            Ok(())
        }};
        ($variant:ident ($a:ident $b:ident -> $r1:ident $r2:ident) {}) => {{
            let rhs = t.pop_slot()?;
            let lhs = t.pop_slot()?;
            let dst = t.push_temp(false)?;
            t.push_temp(false)?;
            t.emit(Op::$variant(BinPair { dst, lhs, rhs }));
            Ok(())
        }};
        ($variant:ident ($a:ident $b:ident $c:ident $d:ident -> $r1:ident $r2:ident) {}) => {{
            let d = t.pop_slot()?;
            let c = t.pop_slot()?;
            let b = t.pop_slot()?;
            let a = t.pop_slot()?;
            let dst = t.push_temp(false)?;
            t.push_temp(false)?;
            t.emit(Op::$variant(QuadPair { dst, a, b, c, d }));
            Ok(())
        }};
        ($variant:ident ($a:ident -> $r:ident) {}) => {{
            let src = t.pop()?;
            let ok = !is_wide!($a) && !is_wide!($r);
            let bits = if ok { t.acc_bit(&src, ACC_IN_L) } else { 0 };
            let src = src.slot;
            t.produce_acc(ok, bits, is_wide!($r), |dst| Op::$variant(Un { dst, src }))
        }};
        ($variant:ident ($a:ident $b:ident -> $r:ident) {}) => {{
            let rhs = t.pop()?;
            let lhs = t.pop()?;
            let ok = !is_wide!($a) && !is_wide!($b) && !is_wide!($r);
            // One operand at most comes from the accumulator (both may
            // name the same local).
            let bits = if !ok {
                0
            } else {
                match t.acc_bit(&lhs, ACC_IN_L) {
                    0 => t.acc_bit(&rhs, ACC_IN_R),
                    l => l,
                }
            };
            let (lhs, rhs) = (lhs.slot, rhs.slot);
            if ok {
                if let Some((a, b, c, pair, mode)) =
                    t.fuse_pair(RowTag::$variant as u16, bits, lhs, rhs)
                {
                    return t.produce_acc(true, mode, false, |dst| Op::Pair { dst, a, b, c, pair });
                }
                if let Some((l, c, pair, mode)) =
                    t.fuse_load_pair(RowTag::$variant as u16, bits, lhs, rhs)
                {
                    let (addr, idx, offset) = (l.addr, l.idx, l.offset);
                    return t.produce_acc(true, mode, false, |dst| Op::LoadPair {
                        dst, addr, idx, c, pair, offset,
                    });
                }
            }
            t.produce_acc(ok, bits, is_wide!($r), |dst| Op::$variant(Bin { dst, lhs, rhs }))
        }};
        ($variant:ident ($a:ident $b:ident $c:ident -> $r:ident) {}) => {{
            let c = t.pop_slot()?;
            let b = t.pop_slot()?;
            let a = t.pop_slot()?;
            t.produce(is_wide!($r), |dst| Op::$variant(Ter { dst, a, b, c }))
        }};
    }
    macro_rules! dispatch {
        ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
            { $($field:ident : $ty:ty),* } $sig:tt )*) => {
            match instr {
                $( Instr::$variant { $($field),* } => row!($variant $sig {$($field)*}), )*
            }
        };
    }
    weft_syntax::for_each_instr!(dispatch)
}

/// The `(custom)` rows, one method each, named after the variant.
#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    fn Unreachable(&mut self) -> Result<()> {
        self.emit(Op::Trap {
            code: TrapCode::Unreachable,
        });
        self.reachable = false;
        Ok(())
    }

    fn Block(&mut self, block_type: BlockType) -> Result<()> {
        self.enter(CtrlKind::Block, block_type)
    }

    fn Loop(&mut self, block_type: BlockType) -> Result<()> {
        self.enter(CtrlKind::Loop, block_type)?;
        let label = self.ctrls.last().map(|c| c.label).unwrap_or_default();
        self.bind(label);
        self.fuel_point();
        Ok(())
    }

    fn If(&mut self, block_type: BlockType) -> Result<()> {
        let cond = self.pop()?;
        self.enter(CtrlKind::If, block_type)?;
        let else_label = self.ctrls.last().map(|c| c.else_label).unwrap_or_default();
        self.cond_jump(cond, false, else_label);
        Ok(())
    }

    fn Else(&mut self) -> Result<()> {
        let c = self.ctrls.last().ok_or("internal error: else")?;
        let (label, else_label, height, pos) = (c.label, c.else_label, c.height, c.pos);
        let (params, results) = (c.params, c.results);
        if self.reachable {
            if !self.in_place(results.len(), slots(results), pos) {
                self.copy_top_to(results.len(), pos);
            }
            self.emit_jump(Op::Jump { offset: 0 }, label, 0);
        }
        self.bind(else_label);
        self.reset_stack(height, params)?;
        if let Some(c) = self.ctrls.last_mut() {
            c.kind = CtrlKind::Else;
        }
        self.reachable = true;
        Ok(())
    }

    fn End(&mut self) -> Result<()> {
        if self
            .ctrls
            .last()
            .is_some_and(|c| c.kind == CtrlKind::TryTable)
        {
            return self.end_try_table();
        }
        let c = self.ctrls.pop().ok_or("internal error: end")?;
        if c.kind == CtrlKind::Func {
            if self.reachable {
                self.emit_return()?;
            } else if !self.code.last().is_some_and(ends_flow) {
                // Dead code may end the function (a fuel point after an
                // unreachable loop's end): a trap that never runs keeps
                // execution from running off the end, as `verify.rs`
                // checks.
                self.emit(Op::Trap {
                    code: TrapCode::Unreachable,
                });
            }
            return Ok(());
        }
        let n = c.results.len();
        let mut keep = false;
        if self.reachable {
            let must_copy = match c.kind {
                CtrlKind::Loop => false,
                CtrlKind::If => true,
                _ => self.labels[c.label].used,
            };
            if must_copy {
                if !self.in_place(n, slots(c.results), c.pos) {
                    self.copy_top_to(n, c.pos);
                }
            } else {
                keep = true;
            }
        }
        let reachable_after = self.reachable || self.labels[c.label].used || c.kind == CtrlKind::If;
        if c.kind != CtrlKind::Loop {
            self.bind(c.label);
        }
        if c.kind == CtrlKind::If {
            self.bind(c.else_label);
        }
        if !keep {
            self.reset_stack(c.height, c.results)?;
        }
        self.reachable = reachable_after;
        if c.kind == CtrlKind::Loop {
            self.fuel_point();
        }
        Ok(())
    }

    fn Br(&mut self, label: LabelIdx) -> Result<()> {
        let ci = self.ctrl_at(label)?;
        self.branch_to(ci)?;
        self.reachable = false;
        Ok(())
    }

    fn BrIf(&mut self, label: LabelIdx) -> Result<()> {
        let cond = self.pop()?;
        let ci = self.ctrl_at(label)?;
        if self.is_plain_branch(ci) {
            let l = self.ctrls[ci].label;
            self.cond_jump(cond, true, l);
        } else {
            let skip = self.new_label();
            self.cond_jump(cond, false, skip);
            self.branch_to(ci)?;
            self.bind(skip);
        }
        Ok(())
    }

    fn BrTable(&mut self, targets: BrTable<'_>) -> Result<()> {
        let index = self.pop()?;
        let bits = self.acc_bit(&index, ACC_IN_L);
        let index = index.slot;
        let len = targets.len();
        let mut depths = Vec::with_capacity(len as usize + 1);
        depths.extend(targets.labels());
        depths.push(targets.default);
        self.emit_acc(Op::JumpTable { index, len }, bits);
        let first = self.code.len();
        let mut stubs: Vec<(usize, usize)> = Vec::new();
        for &d in &depths {
            let ci = self.ctrl_at(d)?;
            if self.is_plain_branch(ci) {
                let l = self.ctrls[ci].label;
                self.emit_jump(Op::Jump { offset: 0 }, l, 0);
            } else {
                let i = self.emit(Op::Jump { offset: 0 });
                stubs.push((i, ci));
            }
        }
        let _ = first;
        // Branches that need copies or return go through a stub each (one
        // per distinct target).
        let mut done: Vec<(usize, usize)> = Vec::new();
        for (entry, ci) in stubs {
            let at = match done.iter().find(|&&(c, _)| c == ci) {
                Some(&(_, at)) => at,
                None => {
                    let at = self.code.len();
                    self.branch_to(ci)?;
                    done.push((ci, at));
                    at
                }
            };
            if let Some(off) = self.code[entry].offset_mut() {
                *off = (at as i64 - entry as i64) as i32;
            }
        }
        self.reachable = false;
        Ok(())
    }

    fn Return(&mut self) -> Result<()> {
        self.emit_return()?;
        self.reachable = false;
        Ok(())
    }

    fn Call(&mut self, func: FuncIdx) -> Result<()> {
        self.call(func, false)
    }

    fn CallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        self.call_indirect(ty, table, false)
    }

    fn ReturnCall(&mut self, func: FuncIdx) -> Result<()> {
        self.call(func, true)
    }

    fn ReturnCallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        self.call_indirect(ty, table, true)
    }

    fn Drop(&mut self) -> Result<()> {
        self.pop()?;
        Ok(())
    }

    fn Select(&mut self) -> Result<()> {
        let cond = self.pop()?;
        let b = self.pop()?;
        let a = self.pop_slot()?;
        let w = b.wide;
        let b = b.slot;
        // `select` on `eqz x`: select on `x` with the operands swapped.
        if let (false, Some(i), Kind::Temp) = (w, self.last_producer, cond.kind) {
            if i + 1 == self.code.len() {
                let fused = match self.code[i] {
                    Op::I32Eqz(u) if u.dst == cond.slot => Some((u.src, false)),
                    Op::I64Eqz(u) if u.dst == cond.slot => Some((u.src, true)),
                    _ => None,
                };
                if let Some((x, is64)) = fused {
                    // `x` stays in the accumulator if the eqz took it from
                    // there.
                    let bits = self.unemit(true) & ACC_IN_L;
                    // ... unless it is the temporary of an `and` just
                    // before, which then fuses too: a test-and-select.
                    if let (ACC_IN_L, Some(&ACC_OUT), Some(Op::I32And(t) | Op::I64And(t))) =
                        (bits, self.modes.last(), self.code.last().copied())
                    {
                        if t.dst == x {
                            self.unemit(true);
                            let (x, m) = (t.lhs, t.rhs);
                            return self.produce_acc(true, 0, false, |dst| Op::ChooseTestZ {
                                dst,
                                x,
                                m,
                                a,
                                b,
                            });
                        }
                    }
                    return self.produce_acc(true, bits, false, |dst| {
                        if is64 {
                            Op::ChooseZ64 { dst, cond: x, a, b }
                        } else {
                            Op::Choose {
                                dst,
                                cond: x,
                                a: b,
                                b: a,
                            }
                        }
                    });
                }
            }
        }
        let bits = if w { 0 } else { self.acc_bit(&cond, ACC_IN_L) };
        let cond = cond.slot;
        self.produce_acc(!w, bits, w, |dst| {
            if w {
                Op::Choose128 { dst, cond, a, b }
            } else {
                Op::Choose { dst, cond, a, b }
            }
        })
    }

    fn TypedSelect(&mut self, _ty: ValType) -> Result<()> {
        self.Select()
    }

    fn LocalGet(&mut self, local: LocalIdx) -> Result<()> {
        let (slot, w) = self.local(local)?;
        self.push(Kind::Local, slot, w)?;
        Ok(())
    }

    fn LocalSet(&mut self, local: LocalIdx) -> Result<()> {
        let (slot, w) = self.local(local)?;
        let v = self.pop()?;
        if v.kind == Kind::Local && v.slot == slot {
            return Ok(());
        }
        let still_read = self.local_refs > 0
            && self
                .stack
                .iter()
                .any(|o| o.kind == Kind::Local && o.slot == slot);
        // A constant set before any instruction, outside loops, runs once
        // per call before anything reads the local: it becomes the local's
        // initial value.
        if v.kind == Kind::Const
            && !still_read
            && self.code.is_empty()
            && slot as u32 >= self.param_slots
            && self.ctrls.iter().all(|c| c.kind != CtrlKind::Loop)
        {
            let (from, to) = (
                (v.slot as u32 - self.param_slots) as usize,
                (slot as u32 - self.param_slots) as usize,
            );
            let w = 1 + w as usize;
            if from + w <= self.init.len() && to + w <= self.init.len() {
                self.init.copy_within(from..from + w, to);
                return Ok(());
            }
        }
        if v.kind == Kind::Temp && !still_read {
            if let Some(i) = self.last_producer {
                if i + 1 == self.code.len() {
                    if let Some(dst) = self.code[i].dst_mut() {
                        if *dst == v.slot {
                            // The instruction now computes the local, and
                            // may still pass it to the next one in the
                            // accumulator.
                            *dst = slot;
                            return Ok(());
                        }
                    }
                }
            }
        }
        self.preserve_local(slot);
        self.emit(Self::move_op(slot, v.slot, w));
        Ok(())
    }

    fn LocalTee(&mut self, local: LocalIdx) -> Result<()> {
        self.LocalSet(local)?;
        self.LocalGet(local)
    }

    fn GlobalGet(&mut self, global: GlobalIdx) -> Result<()> {
        let ty = self
            .m
            .global_types
            .get(global.index())
            .ok_or("internal error: unknown global")?;
        let w = wide(ty.content);
        self.produce(w, |dst| {
            if w {
                Op::GlobalRead128 {
                    dst,
                    global: global.0,
                }
            } else {
                Op::GlobalRead {
                    dst,
                    global: global.0,
                }
            }
        })
    }

    fn GlobalSet(&mut self, global: GlobalIdx) -> Result<()> {
        let v = self.pop()?;
        self.emit(if v.wide {
            Op::GlobalWrite128 {
                src: v.slot,
                global: global.0,
            }
        } else {
            Op::GlobalWrite {
                src: v.slot,
                global: global.0,
            }
        });
        Ok(())
    }

    fn TableGet(&mut self, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(0)?;
        }
        let index = self.pop_slot()?;
        self.produce(false, |dst| Op::TableRead {
            dst,
            index,
            table: table.0,
        })
    }

    fn TableSet(&mut self, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(1)?;
        }
        let val = self.pop_slot()?;
        let index = self.pop_slot()?;
        self.emit(Op::TableWrite {
            index,
            val,
            table: table.0,
        });
        Ok(())
    }

    fn MemorySize(&mut self, mem: MemIdx) -> Result<()> {
        self.produce(false, |dst| Op::MemLen { dst, mem: mem.0 })
    }

    fn MemoryGrow(&mut self, mem: MemIdx) -> Result<()> {
        let delta = self.pop_slot()?;
        self.produce(false, |dst| Op::MemExtend {
            dst,
            delta,
            mem: mem.0,
        })
    }

    fn RefNull(&mut self, _ty: HeapType) -> Result<()> {
        self.constant((0, 0, false))
    }

    fn RefIsNull(&mut self) -> Result<()> {
        let src = self.pop_slot()?;
        self.produce(false, |dst| Op::IsNull { dst, src })
    }

    fn RefFunc(&mut self, func: FuncIdx) -> Result<()> {
        self.produce(false, |dst| Op::FuncRef { dst, func: func.0 })
    }

    fn MemoryInit(&mut self, data: DataIdx, mem: MemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let src = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::MemInit {
            dst,
            src,
            len,
            data: data.0,
            mem: mem.0,
        });
        Ok(())
    }

    fn DataDrop(&mut self, data: DataIdx) -> Result<()> {
        self.emit(Op::DataDiscard { data: data.0 });
        Ok(())
    }

    fn MemoryCopy(&mut self, dst_mem: MemIdx, src_mem: MemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let src = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::MemCopy {
            dst,
            src,
            len,
            dst_mem: dst_mem.0,
            src_mem: src_mem.0,
        });
        Ok(())
    }

    fn MemoryFill(&mut self, mem: MemIdx) -> Result<()> {
        let len = self.pop_slot()?;
        let val = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::MemFill {
            dst,
            val,
            len,
            mem: mem.0,
        });
        Ok(())
    }

    fn TableInit(&mut self, elem: ElemIdx, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(2)?;
        }
        let len = self.pop_slot()?;
        let src = self.pop_slot()?;
        let dst = self.pop_slot()?;
        self.emit(Op::TableInitRange {
            dst,
            src,
            len,
            table: table.0,
            elem: elem.0,
        });
        Ok(())
    }

    fn ElemDrop(&mut self, elem: ElemIdx) -> Result<()> {
        self.emit(Op::ElemDiscard { elem: elem.0 });
        Ok(())
    }

    fn TableCopy(&mut self, dst: TableIdx, src: TableIdx) -> Result<()> {
        // The length is an i64 only between two 64-bit tables.
        let (d64, s64) = (self.table_is_64(dst), self.table_is_64(src));
        for (depth, is_64) in [(2, d64), (1, s64), (0, d64 && s64)] {
            if is_64 {
                self.narrow(depth)?;
            }
        }
        let len = self.pop_slot()?;
        let s = self.pop_slot()?;
        let d = self.pop_slot()?;
        self.emit(Op::TableCopyRange {
            dst: d,
            src: s,
            len,
            dst_table: dst.0,
            src_table: src.0,
        });
        Ok(())
    }

    fn TableGrow(&mut self, table: TableIdx) -> Result<()> {
        let is_64 = self.table_is_64(table);
        if is_64 {
            self.narrow(0)?;
        }
        let delta = self.pop_slot()?;
        let init = self.pop_slot()?;
        self.produce(false, |dst| Op::TableExtend {
            dst,
            init,
            delta,
            table: table.0,
        })?;
        if is_64 {
            // The old size (below 2^31) or -1, as an i64.
            visit(self, Instr::I64ExtendI32S {})?;
        }
        Ok(())
    }

    fn TableSize(&mut self, table: TableIdx) -> Result<()> {
        self.produce(false, |dst| Op::TableLen {
            dst,
            table: table.0,
        })
    }

    fn TableFill(&mut self, table: TableIdx) -> Result<()> {
        if self.table_is_64(table) {
            self.narrow(2)?;
            self.narrow(0)?;
        }
        let len = self.pop_slot()?;
        let val = self.pop_slot()?;
        let start = self.pop_slot()?;
        self.emit(Op::TableFillRange {
            start,
            val,
            len,
            table: table.0,
        });
        Ok(())
    }

    fn I8x16Shuffle(&mut self, lanes: ShuffleLanes) -> Result<()> {
        let b = self.pop_slot()?;
        let a = self.pop_slot()?;
        let idx = self.shuffles.len() as u32;
        self.shuffles.push(lanes.0);
        self.produce(true, |dst| Op::Shuffle {
            dst,
            a,
            b,
            lanes: idx,
        })
    }

    // Exception handling: `throw` and `throw_ref` end in `Op::ThrowTag` and
    // `Op::ThrowExn`; try blocks leave catch entries (`CatchEntry`) whose
    // landing pads branch to the clauses' labels (see `end_try_table`).

    fn Throw(&mut self, tag: TagIdx) -> Result<()> {
        let params = &self.tag_type(tag)?.params;
        let base = self.call_args(params, &[])?;
        self.emit(Op::ThrowTag { base, tag: tag.0 });
        self.reachable = false;
        Ok(())
    }

    fn ThrowRef(&mut self) -> Result<()> {
        let src = self.pop_slot()?;
        self.emit(Op::ThrowExn { src });
        self.reachable = false;
        Ok(())
    }

    fn TryTable(&mut self, block_type: BlockType, catches: Catches<'_>) -> Result<()> {
        if catches.is_empty() {
            return self.enter(CtrlKind::Block, block_type);
        }
        self.enter(CtrlKind::TryTable, block_type)?;
        let start = self.try_start();
        if let Some(c) = self.ctrls.last_mut() {
            c.try_start = start;
            c.catches = catches.iter().collect();
        }
        Ok(())
    }

    fn Try(&mut self, block_type: BlockType) -> Result<()> {
        let depth = (self.ctrls.iter())
            .filter(|c| matches!(c.kind, CtrlKind::Try | CtrlKind::Catch))
            .count() as u32;
        self.enter(CtrlKind::Try, block_type)?;
        let start = self.try_start();
        let exn_slot = (self.exn_base + depth) as Slot;
        if let Some(c) = self.ctrls.last_mut() {
            c.try_start = start;
            c.exn_slot = exn_slot;
        }
        Ok(())
    }

    fn Catch(&mut self, tag: TagIdx) -> Result<()> {
        self.legacy_catch(CatchKind::Tag(tag.0))
    }

    fn CatchAll(&mut self) -> Result<()> {
        self.legacy_catch(CatchKind::All)
    }

    fn Delegate(&mut self, label: LabelIdx) -> Result<()> {
        let depth = self.ctrls.len() - 1;
        let c = self.ctrls.last().ok_or("internal error: delegate")?;
        let start = c.try_start;
        // The label counts from the block around the `try`.
        let target = depth
            .checked_sub(1 + label.index())
            .ok_or("internal error: delegate label")?;
        self.catches.push(CatchEntry {
            start,
            end: self.code.len() as u32,
            kind: CatchKind::Delegate(target as u32),
            pad: 0,
            payload: NO_SLOT,
            exn: NO_SLOT,
            depth: depth as u32,
        });
        if let Some(c) = self.ctrls.last_mut() {
            c.kind = CtrlKind::Block;
        }
        self.End()
    }

    fn Rethrow(&mut self, label: LabelIdx) -> Result<()> {
        let ci = self.ctrl_at(label)?;
        let c = &self.ctrls[ci];
        if c.kind != CtrlKind::Catch {
            return Err("internal error: rethrow outside a catch".into());
        }
        self.emit(Op::ThrowExn { src: c.exn_slot });
        self.reachable = false;
        Ok(())
    }

    // Typed function references.

    fn CallRef(&mut self, ty: TypeIdx) -> Result<()> {
        self.call_ref(ty, false)
    }

    fn ReturnCallRef(&mut self, ty: TypeIdx) -> Result<()> {
        self.call_ref(ty, true)
    }

    /// `ref.as_non_null`: a trap unless the reference is non-null, which
    /// stays on the stack.
    fn RefAsNonNull(&mut self) -> Result<()> {
        let r = self.pop()?;
        let ok = self.new_label();
        self.emit_jump(
            Op::JumpIfNonNull {
                cond: r.slot,
                offset: 0,
            },
            ok,
            0,
        );
        self.emit(Op::Trap {
            code: TrapCode::NullReference,
        });
        self.bind(ok);
        self.push(r.kind, r.slot, r.wide)?;
        Ok(())
    }

    /// `br_on_null`: branches with the values below the reference if it is
    /// null; else the reference stays.
    fn BrOnNull(&mut self, label: LabelIdx) -> Result<()> {
        let r = self.pop()?;
        let ci = self.ctrl_at(label)?;
        let cond = r.slot;
        if self.is_plain_branch(ci) {
            let l = self.ctrls[ci].label;
            self.emit_jump(Op::JumpIfNull { cond, offset: 0 }, l, 0);
        } else {
            // The branch's copies go below the reference's slot.
            let skip = self.new_label();
            self.emit_jump(Op::JumpIfNonNull { cond, offset: 0 }, skip, 0);
            self.branch_to(ci)?;
            self.bind(skip);
        }
        self.push(r.kind, r.slot, r.wide)?;
        Ok(())
    }

    /// `br_on_non_null`: branches with the reference (the label's last
    /// value) if it is not null; else drops it.
    fn BrOnNonNull(&mut self, label: LabelIdx) -> Result<()> {
        let cond = self
            .stack
            .last()
            .ok_or("internal error: operand stack underflow")?
            .slot;
        let ci = self.ctrl_at(label)?;
        if self.is_plain_branch(ci) {
            let l = self.ctrls[ci].label;
            self.emit_jump(Op::JumpIfNonNull { cond, offset: 0 }, l, 0);
        } else {
            let skip = self.new_label();
            self.emit_jump(Op::JumpIfNull { cond, offset: 0 }, skip, 0);
            self.branch_to(ci)?;
            self.bind(skip);
        }
        self.pop()?;
        Ok(())
    }
}

mod gc;

/// The message of an instruction the engine refuses before translation
/// (`module::check_runnable_instrs`) until it runs it: the
/// custom-descriptor instructions.
fn not_executed(mnemonic: &str) -> String {
    format!("unsupported: {mnemonic} cannot be executed yet")
}

#[cfg(test)]
mod tests {
    /// Prints the translation of every function of the module at
    /// `$WEFT_DUMP` (a debugging aid; does nothing without the variable).
    #[test]
    fn dump() {
        let Ok(path) = std::env::var("WEFT_DUMP") else {
            return;
        };
        let bytes = std::fs::read(path).unwrap();
        let engine =
            crate::Engine::new(crate::Config::new().features(weft_syntax::Features::WASM3));
        let module = crate::Module::new(&engine, bytes).unwrap();
        let m = &module.inner;
        for def in 0..m.module.code.len() as u32 {
            let c = super::translate(m, def).unwrap();
            println!(
                "func {def}: frame {} params {} init {:?}",
                c.frame_size, c.param_slots, c.init
            );
            for (i, inst) in c.code.iter().enumerate() {
                println!("  {i:4}: {inst:?}");
            }
        }
    }
}
