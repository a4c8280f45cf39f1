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
//!
//! The parts by concern: the operand stack model and constants (`stack`),
//! control flow (`control`), fusions and rewrites (`fuse`), calls
//! (`calls`), memories (`memory`), tables (`tables`), exceptions (`exn`)
//! and GC (`gc`); this file holds the translator's state, code emission
//! and the dispatch over the instruction table.

use super::code::*;
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

/// `jump_labels` entry of instructions that are not branches to a label.
const NO_LABEL: u32 = u32::MAX;

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

/// The `(custom)` rows, one method each, named after the variant (the
/// others are in the modules of their concern: `control`, `calls`,
/// `memory`, `tables`, `stack`, `exn`, `gc`).
#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
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

    // Typed function references.
}

// The translator's parts by concern.
mod calls;
mod control;
mod exn;
mod fuse;
mod gc;
mod memory;
mod stack;
mod tables;
use fuse::*;
use memory::mem_offset;
use stack::*;

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
