//! The operator validator: function bodies (§3.3, and the spec appendix's
//! "Validation Algorithm", whose names this module follows: `vals`,
//! `ctrls`, `push_val`, `pop_val`, `push_ctrl`, `pop_ctrl`,
//! `label_types`, `unreachable`).
//!
//! The validator is a [`VisitInstr`]: `Reader::visit_instr` decodes an
//! instruction and calls the validator's `visit_*` method for its row, so
//! each instruction is dispatched once, on its opcode, rather than once in
//! the decoder and again on an `Instr`. Every row whose signature class is
//! not `(custom)` gets its method from the instruction table (see
//! `visit_row!`); the methods of the `(custom)` rows call hand-written
//! methods named after their variants, so that a new custom row fails to
//! compile until it gets one.
//!
//! Speed (measured with `cargo bench -p weft-wast --bench validate`):
//! `visit_instr` and every `visit_*` method are inlined
//! into the loop of `validate_body`, which becomes one opcode jump table
//! whose arms decode the immediates and check the operands in place. The
//! operand and control stacks live in [`Buffers`] that are reused across
//! functions and modules; popping an operand of the expected type is an
//! inlined compare-and-truncate (a unary or binary operator rewrites the
//! top of the stack in place), an `end` whose results are already in place
//! pops just the frame, and everything that builds an error message is out
//! of line. Control frames refer to type lists by [`Span`]s into the
//! module's type pool, so no instruction allocates.

mod gc;

use crate::error::{Result, ValidationError};
use crate::module::{missing_end, BodyPlace, Context};
use crate::subtyping::{check_heap_type, check_val_type, Kind};
use crate::types::{list, Heap, OpType, Pool, Sig, Span};
use std::collections::HashSet;
use weft_binary::{Reader, VisitInstr};
use weft_syntax::{
    BlockType, BrTable, CastFlags, Catch, Catches, Code, DataIdx, ElemIdx, Feature, FieldIdx,
    FuncIdx, GlobalIdx, HeapType, LabelIdx, LaneIdx, LocalIdx, MemArg, MemIdx, Mut, ShuffleLanes,
    TableIdx, TagIdx, TypeIdx, ValType, ZeroByte, F32, F64, V128,
};

/// Locals with an index below this are looked up in a flat array; the rest
/// (functions may declare up to 2^32-1 locals) by binary search over runs.
const FLAT_LOCALS: usize = 4096;

/// The kind of a control frame (appendix: `opcode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
    Else,
    /// `try_table` (exception handling).
    TryTable,
    /// Legacy `try`, before its first handler.
    Try,
    /// A legacy `catch` handler.
    Catch,
    /// A legacy `catch_all` handler.
    CatchAll,
}

/// A control frame (appendix: `ctrl_frame`).
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: FrameKind,
    start: Span,
    end: Span,
    height: usize,
    /// Height of the stack of initialised locals at the frame's start
    /// (appendix: `init_height`).
    init_height: u32,
    unreachable: bool,
}

impl Frame {
    /// The types a branch to this frame's label carries (appendix:
    /// `label_types`).
    #[inline]
    fn label_types(&self) -> Span {
        if self.kind == FrameKind::Loop {
            self.start
        } else {
            self.end
        }
    }
}

/// Stacks and tables reused from one function (and module) to the next.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    vals: Vec<OpType>,
    ctrls: Vec<Frame>,
    /// The first [`FLAT_LOCALS`] locals (parameters first).
    flat_locals: Vec<OpType>,
    /// Every local as runs: (index one past the run, type).
    local_runs: Vec<(u64, OpType)>,
    pool: Option<Pool>,
    inited: HashSet<u32>,
    init_stack: Vec<u32>,
}

/// The error for an instruction of a body that does not decode.
#[cold]
#[inline(never)]
fn body_decode_error(
    e: weft_binary::DecodeError,
    at: usize,
    code: &Code<'_>,
    place: BodyPlace,
) -> ValidationError {
    if at == code.body.offset + code.body.bytes.len() {
        missing_end(place, at)
    } else if e.message.starts_with("invalid result arity") {
        // A typed `select` with other than one type decodes in the
        // reference interpreter and fails validation.
        ValidationError::invalid_at(e.message, e.offset)
    } else {
        e.into()
    }
}

/// Validates function bodies of one module.
pub(crate) struct FuncValidator<'c> {
    cx: &'c Context,
    vals: Vec<OpType>,
    ctrls: Vec<Frame>,
    flat_locals: Vec<OpType>,
    local_runs: Vec<(u64, OpType)>,
    num_locals: u64,
    /// The module's type lists, and those of block types added while
    /// validating its bodies.
    pool: Pool,
    /// Parameters come initialised; locals of non-defaultable types do not.
    num_params: u64,
    /// The non-defaultable locals set so far, undone at the end of the
    /// block that set them (appendix: `inits`; a set, since most functions
    /// have no such local and the rest few).
    inited: HashSet<u32>,
    /// The order in which `inited` grew, for undoing.
    init_stack: Vec<u32>,
    /// Height of the innermost frame's part of the operand stack, cached
    /// from `ctrls.last()` for the fast path of `pop`.
    height: usize,
    /// Absolute offset of the instruction being validated.
    offset: usize,
}

impl<'c> FuncValidator<'c> {
    /// A validator for the bodies of the module described by `cx`.
    pub(crate) fn new(cx: &'c Context, buffers: Buffers) -> Self {
        let mut pool = buffers.pool.unwrap_or_else(Pool::new);
        pool.copy_from(&cx.pool);
        FuncValidator {
            cx,
            vals: buffers.vals,
            ctrls: buffers.ctrls,
            flat_locals: buffers.flat_locals,
            local_runs: buffers.local_runs,
            num_locals: 0,
            pool,
            num_params: 0,
            inited: buffers.inited,
            init_stack: buffers.init_stack,
            height: 0,
            offset: 0,
        }
    }

    /// Gives the buffers back for reuse.
    pub(crate) fn into_buffers(self) -> Buffers {
        Buffers {
            vals: self.vals,
            ctrls: self.ctrls,
            flat_locals: self.flat_locals,
            local_runs: self.local_runs,
            pool: Some(self.pool),
            inited: self.inited,
            init_stack: self.init_stack,
        }
    }

    /// Validates the body of a defined function with signature `sig`
    /// (§3.4.1, §3.3.9).
    pub(crate) fn validate_body(
        &mut self,
        sig: Sig,
        code: &Code<'_>,
        place: BodyPlace,
    ) -> Result<()> {
        self.set_locals(sig, code)?;
        self.vals.clear();
        self.ctrls.clear();
        self.inited.clear();
        self.init_stack.clear();
        self.height = 0;
        self.offset = code.body.offset;
        self.push_ctrl(FrameKind::Func, Span::EMPTY, sig.results);
        let mut reader = Reader::new_at(&code.body.bytes, code.body.offset, self.cx.features);
        loop {
            let at = reader.offset();
            self.offset = at;
            // One dispatch per instruction: the reader's opcode match calls
            // this validator's method for the row.
            match reader.visit_instr(self) {
                Ok(checked) => checked?,
                Err(e) => return Err(body_decode_error(e, at, code, place)),
            }
            if self.ctrls.is_empty() {
                break;
            }
        }
        if !reader.is_empty() {
            return Err(ValidationError::malformed_at(
                "section size mismatch: bytes after the final end of a function body",
                reader.offset(),
            ));
        }
        Ok(())
    }

    /// Sets up the locals: parameters, then the declared locals (§3.4.1).
    fn set_locals(&mut self, sig: Sig, code: &Code<'_>) -> Result<()> {
        self.flat_locals.clear();
        self.local_runs.clear();
        // Parameters and locals together may exceed 2^32 (only the first
        // 2^32 can be named); the declared locals alone may not.
        let mut total: u64 = 0;
        let mut declared: u64 = 0;
        for &t in self.pool.get(sig.params) {
            total += 1;
            self.local_runs.push((total, t));
            if self.flat_locals.len() < FLAT_LOCALS {
                self.flat_locals.push(t);
            }
        }
        self.num_params = total;
        for l in &code.locals {
            check_val_type(self.cx.features, self.cx.types.len(), l.ty)
                .map_err(|m| ValidationError::invalid_at(m, code.body.offset))?;
            let t = self.cx.subtypes.val(l.ty);
            declared += u64::from(l.count);
            if declared > u64::from(u32::MAX) {
                // The decoder's check (§5.5.13), for modules from elsewhere.
                return Err(ValidationError::malformed_at(
                    "too many locals",
                    code.body.offset,
                ));
            }
            total += u64::from(l.count);
            if l.count == 0 {
                continue;
            }
            self.local_runs.push((total, t));
            let room = FLAT_LOCALS - self.flat_locals.len();
            let n = room.min(l.count as usize);
            self.flat_locals.resize(self.flat_locals.len() + n, t);
        }
        self.num_locals = total;
        Ok(())
    }

    /// The type of local `idx`.
    #[inline(always)]
    fn local(&self, idx: LocalIdx) -> Result<OpType> {
        match self.flat_locals.get(idx.index()) {
            Some(&t) => Ok(t),
            None => self.local_slow(idx),
        }
    }

    #[cold]
    fn local_slow(&self, idx: LocalIdx) -> Result<OpType> {
        if u64::from(idx.0) >= self.num_locals {
            return Err(self.unknown("local", idx));
        }
        let i = self
            .local_runs
            .partition_point(|&(end, _)| end <= u64::from(idx.0));
        match self.local_runs.get(i) {
            Some(&(_, t)) => Ok(t),
            None => Err(self.unknown("local", idx)),
        }
    }

    // ----- errors -------------------------------------------------------

    /// An invalid-module error at the current instruction.
    #[cold]
    #[inline(never)]
    fn err(&self, message: impl Into<String>) -> ValidationError {
        ValidationError::invalid_at(message, self.offset)
    }

    /// "unknown {what} {idx}" at the current instruction.
    #[cold]
    #[inline(never)]
    fn unknown(&self, what: &str, idx: impl std::fmt::Display) -> ValidationError {
        self.err(format!("unknown {what} {idx}"))
    }

    /// A malformed-binary error at the current instruction.
    #[cold]
    #[inline(never)]
    fn malformed(&self, message: &str) -> ValidationError {
        ValidationError::malformed_at(message, self.offset)
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, expected: OpType, actual: Option<OpType>) -> ValidationError {
        match actual {
            Some(actual) => self.err(format!(
                "type mismatch: instruction requires [{expected}] but stack has [{actual}]"
            )),
            None => self.err(format!(
                "type mismatch: instruction requires [{expected}] but stack is empty"
            )),
        }
    }

    // ----- the operand stack (appendix) ----------------------------------

    /// Appendix: `push_val`.
    #[inline(always)]
    fn push(&mut self, t: OpType) {
        self.vals.push(t);
    }

    /// Appendix: `pop_val(expect)`, for a known `expect`.
    #[inline(always)]
    fn pop(&mut self, expect: OpType) -> Result<()> {
        if let Some(&t) = self.vals.last() {
            if t == expect && self.vals.len() > self.height {
                self.vals.pop();
                return Ok(());
            }
        }
        self.pop_slow(expect)
    }

    /// `pop_val(expect)` then `push_val(result)`: on the fast path the top
    /// of the stack is overwritten in place.
    #[inline(always)]
    fn pop_push(&mut self, expect: OpType, result: OpType) -> Result<()> {
        if self.vals.len() > self.height {
            if let Some(top) = self.vals.last_mut() {
                if *top == expect {
                    *top = result;
                    return Ok(());
                }
            }
        }
        self.pop_slow(expect)?;
        self.push(result);
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn pop_slow(&mut self, expect: OpType) -> Result<()> {
        let actual = self.pop_any()?;
        if !self.cx.subtypes.matches(actual, expect) {
            return Err(self.mismatch(expect, Some(actual)));
        }
        Ok(())
    }

    /// Whether the innermost frame is unreachable.
    #[inline(always)]
    fn is_unreachable(&self) -> bool {
        self.ctrls.last().is_some_and(|f| f.unreachable)
    }

    /// Appendix: `pop_val()`.
    #[inline(always)]
    fn pop_any(&mut self) -> Result<OpType> {
        if self.vals.len() > self.height {
            if let Some(t) = self.vals.pop() {
                return Ok(t);
            }
        }
        if self.is_unreachable() {
            return Ok(OpType::UNKNOWN);
        }
        Err(self.err("type mismatch: instruction requires an operand but stack is empty"))
    }

    /// Appendix: `pop_vals(types)`.
    #[inline(always)]
    fn pop_span(&mut self, s: Span) -> Result<()> {
        for i in (0..s.len).rev() {
            let t = self.pool.at(s, i);
            self.pop(t)?;
        }
        Ok(())
    }

    /// Appendix: `push_vals(types)`.
    #[inline(always)]
    fn push_span(&mut self, s: Span) {
        match self.pool.get(s) {
            [] => {}
            [t] => self.vals.push(*t),
            ts => self.vals.extend_from_slice(ts),
        }
    }

    /// Checks that the top of the stack matches `s` without changing the
    /// stack: `push_vals(pop_vals(s))` of the appendix's `br_table`.
    fn check_span_in_place(&self, s: Span) -> Result<()> {
        let ts = self.pool.get(s);
        let avail = self.vals.len() - self.height;
        for (depth, &expect) in ts.iter().rev().enumerate() {
            if depth < avail {
                let actual = self.vals[self.vals.len() - 1 - depth];
                if !self.cx.subtypes.matches(actual, expect) {
                    return Err(self.mismatch(expect, Some(actual)));
                }
            } else if !self.is_unreachable() {
                return Err(self.mismatch(expect, None));
            }
        }
        Ok(())
    }

    // ----- the control stack (appendix) ----------------------------------

    /// Appendix: `push_ctrl`.
    #[inline(always)]
    fn push_ctrl(&mut self, kind: FrameKind, start: Span, end: Span) {
        let height = self.vals.len();
        self.ctrls.push(Frame {
            kind,
            start,
            end,
            height,
            init_height: self.init_stack.len() as u32,
            unreachable: false,
        });
        self.height = height;
        self.push_span(start);
    }

    /// Appendix: `pop_ctrl`.
    #[inline(always)]
    fn pop_ctrl(&mut self) -> Result<Frame> {
        let Some(&frame) = self.ctrls.last() else {
            return Err(self.malformed("unexpected end"));
        };
        self.pop_span(frame.end)?;
        if self.vals.len() != frame.height {
            return Err(self.err(format!(
                "type mismatch: block requires {} but stack has {} more value(s)",
                list(self.pool.get(frame.end)),
                self.vals.len() - frame.height
            )));
        }
        self.reset_inits(frame.init_height);
        self.ctrls.pop();
        self.height = self.ctrls.last().map_or(0, |f| f.height);
        Ok(frame)
    }

    /// Forgets the locals initialised since the stack of initialised
    /// locals had `height` entries (appendix: `pop_ctrl` resets `inits`).
    #[inline(always)]
    fn reset_inits(&mut self, height: u32) {
        if self.init_stack.len() > height as usize {
            self.reset_inits_slow(height);
        }
    }

    #[cold]
    #[inline(never)]
    fn reset_inits_slow(&mut self, height: u32) {
        for x in self.init_stack.drain(height as usize..) {
            self.inited.remove(&x);
        }
    }

    /// Appendix: `unreachable`.
    #[inline(always)]
    fn unreachable(&mut self) {
        self.vals.truncate(self.height);
        if let Some(f) = self.ctrls.last_mut() {
            f.unreachable = true;
        }
    }

    /// The label types of the frame `depth` levels out (§3.3.8 `br`).
    #[inline(always)]
    fn label(&self, depth: LabelIdx) -> Result<Span> {
        let n = self.ctrls.len();
        match n
            .checked_sub(1)
            .and_then(|top| top.checked_sub(depth.index()))
            .and_then(|i| self.ctrls.get(i))
        {
            Some(f) => Ok(f.label_types()),
            None => Err(self.unknown("label", depth)),
        }
    }

    /// The function type of a block type (§3.2.2 / §3.3.8).
    #[inline(always)]
    fn block_sig(&mut self, bt: BlockType) -> Result<Sig> {
        match bt {
            BlockType::Empty => Ok(Sig::default()),
            BlockType::Value(ValType::Ref(r)) => self.ref_block_sig(r),
            BlockType::Value(t) => Ok(Sig {
                params: Span::EMPTY,
                results: self.pool.single(self.cx.subtypes.val(t)),
            }),
            BlockType::Func(idx) => {
                if !self.cx.features.has(Feature::MultiValue) {
                    return Err(self.err("invalid block type: type indices require multi-value"));
                }
                self.type_sig(idx)
            }
        }
    }

    /// The block type of one reference result.
    #[cold]
    #[inline(never)]
    fn ref_block_sig(&mut self, r: weft_syntax::RefType) -> Result<Sig> {
        check_val_type(self.cx.features, self.cx.types.len(), ValType::Ref(r))
            .map_err(|m| self.err(m))?;
        Ok(Sig {
            params: Span::EMPTY,
            results: self.pool.single(self.cx.subtypes.reference(r)),
        })
    }

    // ----- module context lookups ---------------------------------------

    /// The signature of function type `idx`.
    #[inline(always)]
    fn type_sig(&self, idx: TypeIdx) -> Result<Sig> {
        match self.cx.types.get(idx.index()) {
            Some(&s) if self.cx.subtypes.kind(idx.0) == Some(Kind::Func) => Ok(s),
            Some(_) => Err(self.err(format!("type mismatch: type {idx} is not a function type"))),
            None => Err(self.unknown("type", idx)),
        }
    }

    #[inline(always)]
    fn func_sig(&self, idx: FuncIdx) -> Result<Sig> {
        match self.cx.funcs.get(idx.index()) {
            Some(&t) => Ok(self.cx.types.get(t as usize).copied().unwrap_or_default()),
            None => Err(self.unknown("function", idx)),
        }
    }

    /// The element type of table `idx`.
    #[inline]
    fn table(&self, idx: TableIdx) -> Result<OpType> {
        match self.cx.table_elems.get(idx.index()) {
            Some(&t) => Ok(t),
            None => Err(self.unknown("table", idx)),
        }
    }

    /// The address type of memory `idx`.
    #[inline(always)]
    fn memory(&self, idx: MemIdx) -> Result<OpType> {
        match self.cx.mems.get(idx.index()) {
            Some(m) => Ok(OpType::of_addr(m.addr)),
            None => Err(self.unknown("memory", idx)),
        }
    }

    /// The address type of table `idx`.
    #[inline]
    fn table_addr(&self, idx: TableIdx) -> Result<OpType> {
        match self.cx.tables.get(idx.index()) {
            Some(t) => Ok(OpType::of_addr(t.addr)),
            None => Err(self.unknown("table", idx)),
        }
    }

    #[inline]
    fn elem(&self, idx: ElemIdx) -> Result<OpType> {
        match self.cx.elems.get(idx.index()) {
            Some(&t) => Ok(t),
            None => Err(self.unknown("elem segment", idx)),
        }
    }

    /// Data segments exist for bulk instructions only with a data count
    /// section (§5.5.13: "data count section required", malformed).
    #[inline]
    fn data(&self, idx: DataIdx) -> Result<()> {
        match self.cx.data_count {
            None => Err(self.malformed("data count section required")),
            Some(n) if idx.0 < n => Ok(()),
            Some(_) => Err(self.unknown("data segment", idx)),
        }
    }

    /// A `memarg` (§3.3.7): the memory must exist, the alignment must not
    /// exceed the natural alignment `2^natural`, and the offset must be an
    /// address of the memory's type. Alignment exponents of 32 and above
    /// cannot be encoded (§5.4.7, malformed). Returns the address type.
    #[inline(always)]
    fn check_memarg(&self, memarg: MemArg, natural: u32) -> Result<OpType> {
        if memarg.align <= natural && memarg.offset >> 32 == 0 {
            if let Some(m) = self.cx.mems.get(memarg.memory.index()) {
                return Ok(OpType::of_addr(m.addr));
            }
        }
        self.memarg_error(memarg, natural)
    }

    /// The `memarg` of an atomic access (threads): as [`Self::check_memarg`],
    /// and the alignment must be the natural one exactly.
    fn check_atomic_memarg(&self, memarg: MemArg, natural: u32) -> Result<OpType> {
        let addr = self.check_memarg(memarg, natural)?;
        if memarg.align != natural {
            return Err(self.err("atomic alignment must be natural"));
        }
        Ok(addr)
    }

    /// The error of a `memarg` that fails the fast path of `check_memarg`
    /// (or its address type, for a 64-bit offset into a 64-bit memory), in
    /// the order of the checks: encoding, memory, alignment, offset.
    #[cold]
    #[inline(never)]
    fn memarg_error(&self, memarg: MemArg, natural: u32) -> Result<OpType> {
        // The decoder's limit (see `MemArg::decode`), for modules from
        // elsewhere.
        let encodable = if self.cx.features.has(Feature::MultiMemory) {
            64
        } else {
            32
        };
        if memarg.align >= encodable {
            return Err(self.malformed("malformed memop flags"));
        }
        let addr = self.memory(memarg.memory)?;
        if memarg.align > natural {
            return Err(self.err("alignment must not be larger than natural"));
        }
        if addr == OpType::I32 && memarg.offset > u64::from(u32::MAX) {
            return Err(self.err("offset out of range: beyond the 32-bit address space"));
        }
        Ok(addr)
    }

    /// A SIMD lane index must be below the lane count (§3.3.3).
    #[inline]
    fn check_lane(&self, lane: LaneIdx, lanes: u8) -> Result<()> {
        if lane.0 >= lanes {
            return Err(self.err("invalid lane index"));
        }
        Ok(())
    }
}

/// The operand type a signature-class type name stands for. `addr` is the
/// address type of the memory the row accesses, given as `$addr`.
macro_rules! op_type {
    ($addr:expr, i32) => {
        OpType::I32
    };
    ($addr:expr, i64) => {
        OpType::I64
    };
    ($addr:expr, f32) => {
        OpType::F32
    };
    ($addr:expr, f64) => {
        OpType::F64
    };
    ($addr:expr, v128) => {
        OpType::V128
    };
    ($addr:expr, addr) => {
        $addr
    };
    ($addr:expr, anyref) => {
        OpType::reference(true, Heap::ANY)
    };
    ($addr:expr, eqref) => {
        OpType::reference(true, Heap::EQ)
    };
    ($addr:expr, i31ref) => {
        OpType::reference(true, Heap::I31)
    };
    ($addr:expr, funcref) => {
        OpType::FUNCREF
    };
    ($addr:expr, externref) => {
        OpType::EXTERNREF
    };
    ($addr:expr, arrayref) => {
        OpType::reference(true, Heap::ARRAY)
    };
    ($addr:expr, ref_i31) => {
        OpType::reference(false, Heap::I31)
    };
}

/// Pops the parameters of a signature class, last first.
macro_rules! pop_params {
    ($v:ident, $addr:expr;) => {};
    ($v:ident, $addr:expr; $($p:ident)+) => {
        pop_params!(@rev $v, $addr; [$($p)+] []);
    };
    (@rev $v:ident, $addr:expr; [$first:ident $($rest:ident)*] [$($done:ident)*]) => {
        pop_params!(@rev $v, $addr; [$($rest)*] [$first $($done)*]);
    };
    (@rev $v:ident, $addr:expr; [] [$($p:ident)*]) => {
        $( $v.pop(op_type!($addr, $p))?; )*
    };
}

/// Pops the parameters of a signature and pushes its results; a single
/// result replaces the first parameter in place when it can.
macro_rules! apply_sig {
    ($v:ident, $addr:expr; -> $($r:ident)*) => {{
        $( $v.push(op_type!($addr, $r)); )*
        Ok(())
    }};
    ($v:ident, $addr:expr; $a:ident -> $r:ident) => {
        $v.pop_push(op_type!($addr, $a), op_type!($addr, $r))
    };
    ($v:ident, $addr:expr; $a:ident $b:ident -> $r:ident) => {{
        $v.pop(op_type!($addr, $b))?;
        $v.pop_push(op_type!($addr, $a), op_type!($addr, $r))
    }};
    ($v:ident, $addr:expr; $a:ident $b:ident $c:ident -> $r:ident) => {{
        $v.pop(op_type!($addr, $c))?;
        $v.pop(op_type!($addr, $b))?;
        $v.pop_push(op_type!($addr, $a), op_type!($addr, $r))
    }};
    ($v:ident, $addr:expr; $($p:ident)* -> $($r:ident)*) => {{
        pop_params!($v, $addr; $($p)*);
        $( $v.push(op_type!($addr, $r)); )*
        Ok(())
    }};
}

/// The operand type a name of a GC signature stands for (see `table.rs`):
/// `x`, `new` and `val` from the row's type, others as in `op_type!`.
macro_rules! gc_type {
    ($g:ident, x) => {
        $g.x
    };
    ($g:ident, new) => {
        $g.new
    };
    ($g:ident, val) => {
        $g.val
    };
    ($g:ident, $t:ident) => {
        op_type!(OpType::I32, $t)
    };
}

/// The second immediate of a GC row, if any.
macro_rules! gc_imm {
    () => {
        ()
    };
    ($imm:ident) => {
        $imm
    };
}

/// Pops the parameters of a GC signature, last first.
macro_rules! gc_pop {
    ($v:ident, $g:ident; [$first:ident $($rest:ident)*] [$($done:ident)*]) => {
        gc_pop!($v, $g; [$($rest)*] [$first $($done)*])
    };
    ($v:ident, $g:ident; [] [$($p:ident)*]) => {
        $( $v.pop(gc_type!($g, $p))?; )*
    };
}

/// One check of a GC signature on field `f` (a field of a struct, or an
/// array's element; `what` names it for "immutable field/array") of the
/// row `name`, whose second immediate is `imm`.
macro_rules! gc_check {
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, var) => {
        $v.check_mutable($f, $what)?
    };
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, packed) => {
        $v.check_packed($f, true, $name)?
    };
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, unpacked) => {
        $v.check_packed($f, false, $name)?
    };
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, default) => {
        $v.check_defaultable($f, $name)?
    };
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, numeric) => {
        $v.check_numeric_array($f)?
    };
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, data) => {
        $v.data($imm)?
    };
    ($v:ident, $f:ident, $what:literal, $name:literal, $imm:ident, segment) => {
        $v.check_elem_array($f, $imm)?
    };
}

/// The validation of one row, from its signature class.
macro_rules! visit_row {
    ($v:ident, $variant:ident, $name:literal, (custom), $($f:ident),*) => {
        $v.$variant($($f),*)
    };
    ($v:ident, $variant:ident, $name:literal, (array $($check:ident)* : $($p:ident)* -> $($r:ident)*),
     $ty:ident $(, $imm:ident)?) => {{
        $v.out_of_line(|v| {
            let f = v.array_field($ty)?;
            #[allow(unused_variables)] // rows without a data or segment check
            let imm = gc_imm!($($imm)?);
            $( gc_check!(v, f, "array", $name, imm, $check); )*
            let g = v.gc_types($ty, f);
            gc_pop!(v, g; [$($p)*] []);
            $( v.push(gc_type!(g, $r)); )*
            Ok(())
        })
    }};
    ($v:ident, $variant:ident, $name:literal, (field $($check:ident)* : $($p:ident)* -> $($r:ident)*),
     $ty:ident, $field:ident) => {{
        $v.out_of_line(|v| {
            let f = v.struct_field($ty, $field)?;
            #[allow(unused_variables)] // no check of a field row reads it
            let imm = ();
            $( gc_check!(v, f, "field", $name, imm, $check); )*
            let g = v.gc_types($ty, f);
            gc_pop!(v, g; [$($p)*] []);
            $( v.push(gc_type!(g, $r)); )*
            Ok(())
        })
    }};
    ($v:ident, $variant:ident, $name:literal, (mem $a:literal : $($p:ident)* -> $($r:ident)*), $memarg:ident) => {{
        let addr = $v.check_memarg($memarg, $a)?;
        apply_sig!($v, addr; $($p)* -> $($r)*)
    }};
    ($v:ident, $variant:ident, $name:literal, (atomic $a:literal : $($p:ident)* -> $($r:ident)*), $memarg:ident) => {{
        let addr = $v.check_atomic_memarg($memarg, $a)?;
        apply_sig!($v, addr; $($p)* -> $($r)*)
    }};
    ($v:ident, $variant:ident, $name:literal, (ref: $($p:ident)* -> $($r:ident)*), $($f:ident),*) => {{
        let _ = ($($f,)*);
        apply_sig!($v, OpType::I32; $($p)* -> $($r)*)
    }};
    ($v:ident, $variant:ident, $name:literal, (lane $n:literal : $($p:ident)* -> $($r:ident)*), $lane:ident) => {{
        $v.check_lane($lane, $n)?;
        apply_sig!($v, OpType::I32; $($p)* -> $($r)*)
    }};
    ($v:ident, $variant:ident, $name:literal, (memlane $a:literal $n:literal : $($p:ident)* -> $($r:ident)*),
     $memarg:ident, $lane:ident) => {{
        let addr = $v.check_memarg($memarg, $a)?;
        $v.check_lane($lane, $n)?;
        apply_sig!($v, addr; $($p)* -> $($r)*)
    }};
    ($v:ident, $variant:ident, $name:literal, ($($p:ident)* -> $($r:ident)*), $($f:ident),*) => {{
        // Immediates such as constants need no checking.
        let _ = ($($f,)*);
        apply_sig!($v, OpType::I32; $($p)* -> $($r)*)
    }};
}

macro_rules! define_visit {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal $visit:ident
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// Validates one instruction (§3.3). `Reader::visit_instr` is
        /// inlined into the loop of `validate_body` and these methods into
        /// its opcode match, so that each instruction is dispatched once.
        impl<'a> VisitInstr<'a> for FuncValidator<'_> {
            type Output = Result<()>;
            $(
                #[inline(always)]
                fn $visit(&mut self $(, $field: $ty)*) -> Result<()> {
                    visit_row!(self, $variant, $name, $sig, $($field),*)
                }
            )*
        }
    };
}

weft_syntax::for_each_visit!(define_visit);

/// The `(custom)` rows of the instruction table, one method per variant.
#[allow(non_snake_case)] // named after the table's variants so that the generated dispatch can call them
impl FuncValidator<'_> {
    /// §3.3.8 `unreachable`.
    #[inline]
    fn Unreachable(&mut self) -> Result<()> {
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 `block`.
    #[inline(always)]
    fn Block(&mut self, block_type: BlockType) -> Result<()> {
        let sig = self.block_sig(block_type)?;
        self.pop_span(sig.params)?;
        self.push_ctrl(FrameKind::Block, sig.params, sig.results);
        Ok(())
    }

    /// §3.3.8 `loop`.
    #[inline(always)]
    fn Loop(&mut self, block_type: BlockType) -> Result<()> {
        let sig = self.block_sig(block_type)?;
        self.pop_span(sig.params)?;
        self.push_ctrl(FrameKind::Loop, sig.params, sig.results);
        Ok(())
    }

    /// §3.3.8 `if`.
    #[inline(always)]
    fn If(&mut self, block_type: BlockType) -> Result<()> {
        let sig = self.block_sig(block_type)?;
        self.pop(OpType::I32)?;
        self.pop_span(sig.params)?;
        self.push_ctrl(FrameKind::If, sig.params, sig.results);
        Ok(())
    }

    /// §3.3.8 `if ... else`. An `else` that does not continue an `if` does
    /// not decode (§5.4.1; the reference decoder then expects `end`).
    fn Else(&mut self) -> Result<()> {
        if self.ctrls.last().map(|f| f.kind) != Some(FrameKind::If) {
            return Err(self.malformed("END opcode expected: else without if"));
        }
        let frame = self.pop_ctrl()?;
        self.push_ctrl(FrameKind::Else, frame.start, frame.end);
        Ok(())
    }

    /// The `end` of a block, loop, if or function. An `if` without `else`
    /// has an implicit empty `else`, which must also type-check (§3.3.8).
    #[inline(always)]
    fn End(&mut self) -> Result<()> {
        // Fast path: exactly the frame's results, of the right types, are
        // above its height. `pop_ctrl` then `push_vals` would leave the
        // stack as it is.
        if let Some(frame) = self.ctrls.last() {
            if frame.kind != FrameKind::If {
                let (height, init_height) = (frame.height, frame.init_height);
                let ts = self.pool.get(frame.end);
                if self.vals.get(height..) == Some(ts) {
                    self.reset_inits(init_height);
                    self.ctrls.pop();
                    self.height = self.ctrls.last().map_or(0, |f| f.height);
                    return Ok(());
                }
            }
        }
        if let Some(f) = self.ctrls.last() {
            if matches!(
                f.kind,
                FrameKind::Try | FrameKind::Catch | FrameKind::CatchAll
            ) {
                if let Some(e) = self.stack_mismatch(f.end, true) {
                    return Err(e);
                }
            }
        }
        if self.ctrls.last().map(|f| f.kind) == Some(FrameKind::If) {
            let frame = self.pop_ctrl()?;
            self.push_ctrl(FrameKind::Else, frame.start, frame.end);
        }
        let frame = self.pop_ctrl()?;
        self.push_span(frame.end);
        Ok(())
    }

    /// §3.3.8 `br`.
    #[inline(always)]
    fn Br(&mut self, label: LabelIdx) -> Result<()> {
        let s = self.label(label)?;
        self.pop_span(s)?;
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 `br_if`.
    #[inline(always)]
    fn BrIf(&mut self, label: LabelIdx) -> Result<()> {
        let s = self.label(label)?;
        self.pop(OpType::I32)?;
        self.pop_span(s)?;
        self.push_span(s);
        Ok(())
    }

    /// §3.3.8 `br_table`: every target carries as many values as the
    /// default, each of matching type.
    fn BrTable(&mut self, targets: BrTable<'_>) -> Result<()> {
        let default = self.label(targets.default)?;
        self.pop(OpType::I32)?;
        for l in targets.labels() {
            let s = self.label(l)?;
            if s.len != default.len {
                return Err(self.err(format!(
                    "type mismatch: br_table target {l} has arity {} but the default has {}",
                    s.len, default.len
                )));
            }
            self.check_span_in_place(s)?;
        }
        self.pop_span(default)?;
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 `return`.
    #[inline]
    fn Return(&mut self) -> Result<()> {
        let s = match self.ctrls.first() {
            Some(f) => f.end,
            None => Span::EMPTY,
        };
        self.pop_span(s)?;
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 `return_call`: a call whose results are the function's.
    fn ReturnCall(&mut self, func: FuncIdx) -> Result<()> {
        let sig = self.func_sig(func)?;
        self.tail_call(sig)
    }

    /// §3.3.8 `return_call_indirect`.
    fn ReturnCallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        let elem = self.table(table)?;
        let addr = self.table_addr(table)?;
        let sig = self.type_sig(ty)?;
        if !self.cx.subtypes.matches(elem, OpType::FUNCREF) {
            return Err(self.err(format!(
                "type mismatch: return_call_indirect requires a table of funcref, table {table} holds {elem}"
            )));
        }
        self.pop(addr)?;
        self.tail_call(sig)
    }

    /// A tail call of a function of type `sig` (§3.3.8): its results must be
    /// those of the calling function.
    fn tail_call(&mut self, sig: Sig) -> Result<()> {
        let own = self.ctrls.first().map_or(Span::EMPTY, |f| f.end);
        let (callee, caller) = (self.pool.get(sig.results), self.pool.get(own));
        if callee.len() != caller.len()
            || !callee
                .iter()
                .zip(caller)
                .all(|(&a, &b)| self.cx.subtypes.matches(a, b))
        {
            return Err(self.err(format!(
                "type mismatch: tail call results {} do not match the function's {}",
                list(callee),
                list(caller)
            )));
        }
        self.pop_span(sig.params)?;
        self.unreachable();
        Ok(())
    }

    /// The parameters of tag `idx` (§3.3.8 of 3.0 `throw`).
    fn tag_params(&self, idx: TagIdx) -> Result<Span> {
        match self.cx.tags.get(idx.index()) {
            Some(&t) => Ok(self
                .cx
                .types
                .get(t as usize)
                .copied()
                .unwrap_or_default()
                .params),
            None => Err(self.unknown("tag", idx)),
        }
    }

    /// The error, if any, of popping exactly `expected` from the innermost
    /// frame, worded as the reference interpreter words it for the
    /// exception instructions (whose scripts test the whole message):
    /// "instruction requires [t*] but stack has [t*]", or "block requires
    /// [t*] but stack has [t*]" when values are left over.
    #[cold]
    #[inline(never)]
    fn stack_mismatch(&self, expected: Span, exact: bool) -> Option<ValidationError> {
        let want = self.pool.get(expected);
        let avail = self.vals.get(self.height..).unwrap_or_default();
        if exact && avail.len() > want.len() {
            return Some(self.err(format!(
                "type mismatch: block requires {} but stack has {}",
                list(want),
                list(avail)
            )));
        }
        let top = &avail[avail.len().saturating_sub(want.len())..];
        let short = top.len() < want.len() && !self.is_unreachable();
        let differs = want
            .iter()
            .rev()
            .zip(top.iter().rev())
            .any(|(&w, &a)| !self.cx.subtypes.matches(a, w));
        (short || differs).then(|| {
            self.err(format!(
                "type mismatch: instruction requires {} but stack has {}",
                list(want),
                list(top)
            ))
        })
    }

    /// §3.3.8 of 3.0 `throw x`: `[t1* t*] -> [t2*]` for tag type `[t*] -> []`.
    #[inline(never)]
    fn Throw(&mut self, tag: TagIdx) -> Result<()> {
        let params = self.tag_params(tag)?;
        if let Some(e) = self.stack_mismatch(params, false) {
            return Err(e);
        }
        self.pop_span(params)?;
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 of 3.0 `throw_ref`: `[t1* exnref] -> [t2*]`.
    #[inline(never)]
    fn ThrowRef(&mut self) -> Result<()> {
        self.pop(OpType::reference(true, Heap::EXN))?;
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 of 3.0 `try_table bt catch*`: a block whose catch clauses
    /// branch to labels of the enclosing context, each carrying what its
    /// label expects: the tag's payload (`catch`, `catch_ref`), then for the
    /// `_ref` forms a non-null `exnref`.
    #[inline(never)]
    fn TryTable(&mut self, block_type: BlockType, catches: Catches<'_>) -> Result<()> {
        let sig = self.block_sig(block_type)?;
        self.pop_span(sig.params)?;
        for c in catches.iter() {
            self.check_catch(c)?;
        }
        self.push_ctrl(FrameKind::TryTable, sig.params, sig.results);
        Ok(())
    }

    /// One catch clause of `try_table`, against the current context.
    fn check_catch(&mut self, c: Catch) -> Result<()> {
        let label = self.label(c.label())?;
        let mut carried: Vec<OpType> = match c.tag() {
            Some(tag) => {
                let params = self.tag_params(tag)?;
                self.pool.get(params).to_vec()
            }
            None => Vec::new(),
        };
        if c.is_ref() {
            carried.push(OpType::reference(false, Heap::EXN));
        }
        let expected = self.pool.get(label);
        if carried.len() != expected.len()
            || !carried
                .iter()
                .zip(expected)
                .all(|(&a, &b)| self.cx.subtypes.matches(a, b))
        {
            return Err(self.err(format!(
                "type mismatch: catch clause carries {} but label {} expects {}",
                list(&carried),
                c.label(),
                list(expected)
            )));
        }
        Ok(())
    }

    /// Legacy exception handling: `try bt`, a block whose handlers follow.
    #[inline(never)]
    fn Try(&mut self, block_type: BlockType) -> Result<()> {
        let sig = self.block_sig(block_type)?;
        self.pop_span(sig.params)?;
        self.push_ctrl(FrameKind::Try, sig.params, sig.results);
        Ok(())
    }

    /// Ends the `try` block or handler before a legacy `catch` or
    /// `catch_all`, and starts the handler's frame (with the same results).
    fn legacy_handler(&mut self, kind: FrameKind, what: &str) -> Result<Frame> {
        match self.ctrls.last() {
            Some(f) if matches!(f.kind, FrameKind::Try | FrameKind::Catch) => {
                if let Some(e) = self.stack_mismatch(f.end, true) {
                    return Err(e);
                }
            }
            _ => return Err(self.malformed(&format!("{what} found outside of a try block"))),
        }
        let frame = self.pop_ctrl()?;
        self.push_ctrl(kind, Span::EMPTY, frame.end);
        Ok(frame)
    }

    /// Legacy `catch x`: a handler that starts with the tag's payload.
    #[inline(never)]
    fn Catch(&mut self, tag: TagIdx) -> Result<()> {
        let params = self.tag_params(tag)?;
        self.legacy_handler(FrameKind::Catch, "catch")?;
        self.push_span(params);
        Ok(())
    }

    /// Legacy `catch_all`: a handler for every exception.
    #[inline(never)]
    fn CatchAll(&mut self) -> Result<()> {
        self.legacy_handler(FrameKind::CatchAll, "catch_all")?;
        Ok(())
    }

    /// Legacy `delegate l`: ends a `try` block without handlers; its
    /// exceptions go to the handlers of label `l`, counted from the block
    /// around the `try` (0 is the function's body: the caller).
    #[inline(never)]
    fn Delegate(&mut self, label: LabelIdx) -> Result<()> {
        match self.ctrls.last() {
            Some(f) if f.kind == FrameKind::Try => {
                if let Some(e) = self.stack_mismatch(f.end, true) {
                    return Err(e);
                }
            }
            _ => return Err(self.malformed("delegate found outside of a try block")),
        }
        let frame = self.pop_ctrl()?;
        self.label(label)?;
        self.push_span(frame.end);
        Ok(())
    }

    /// Legacy `rethrow l`: label `l` must be a `catch` or `catch_all`
    /// handler, whose exception is thrown again.
    #[inline(never)]
    fn Rethrow(&mut self, label: LabelIdx) -> Result<()> {
        let n = self.ctrls.len();
        let frame = n
            .checked_sub(1)
            .and_then(|top| top.checked_sub(label.index()))
            .and_then(|i| self.ctrls.get(i));
        match frame.map(|f| f.kind) {
            Some(FrameKind::Catch | FrameKind::CatchAll) => {}
            Some(_) => return Err(self.err("invalid rethrow label")),
            None => return Err(self.unknown("label", label)),
        }
        self.unreachable();
        Ok(())
    }

    /// §3.3.8 `call_ref x`: `[t1* (ref null x)] -> [t2*]` for function
    /// type `x = [t1*] -> [t2*]`.
    #[inline(never)]
    fn CallRef(&mut self, ty: TypeIdx) -> Result<()> {
        let sig = self.type_sig(ty)?;
        self.pop(self.ref_to(ty))?;
        self.pop_span(sig.params)?;
        self.push_span(sig.results);
        Ok(())
    }

    /// §3.3.8 `return_call_ref x`: a tail call through a reference.
    #[inline(never)]
    fn ReturnCallRef(&mut self, ty: TypeIdx) -> Result<()> {
        if !self.cx.features.has(Feature::TailCall) {
            return Err(self.err("invalid instruction: return_call_ref requires tail calls"));
        }
        let sig = self.type_sig(ty)?;
        self.pop(self.ref_to(ty))?;
        self.tail_call(sig)
    }

    /// The operand type `(ref null x)` of type index `x`, which exists.
    fn ref_to(&self, ty: TypeIdx) -> OpType {
        OpType::reference(true, self.cx.subtypes.heap(HeapType::Concrete(ty)))
    }

    /// Appendix: `pop_ref`: a reference of any type, as its nullability and
    /// heap type; the bottom heap type from an unreachable stack.
    fn pop_ref(&mut self, mnemonic: &str) -> Result<(bool, Heap)> {
        let t = self.pop_any()?;
        if t == OpType::UNKNOWN {
            return Ok((false, Heap::BOT));
        }
        match t.as_ref() {
            Some(r) => Ok(r),
            None => Err(self.err(format!(
                "type mismatch: {mnemonic} requires a reference but stack has [{t}]"
            ))),
        }
    }

    /// §3.3.2 `ref.as_non_null`: `[(ref null ht)] -> [(ref ht)]`.
    #[inline(never)]
    fn RefAsNonNull(&mut self) -> Result<()> {
        let (_, heap) = self.pop_ref("ref.as_non_null")?;
        self.push(OpType::reference(false, heap));
        Ok(())
    }

    /// §3.3.8 `br_on_null l`: `[t* (ref null ht)] -> [t* (ref ht)]` where
    /// the label carries `[t*]`.
    #[inline(never)]
    fn BrOnNull(&mut self, label: LabelIdx) -> Result<()> {
        let s = self.label(label)?;
        let (_, heap) = self.pop_ref("br_on_null")?;
        self.pop_span(s)?;
        self.push_span(s);
        self.push(OpType::reference(false, heap));
        Ok(())
    }

    /// §3.3.8 `br_on_non_null l`: `[t* (ref null ht)] -> [t*]` where the
    /// label carries `[t* rt]` and `(ref ht)` matches `rt`.
    #[inline(never)]
    fn BrOnNonNull(&mut self, label: LabelIdx) -> Result<()> {
        let s = self.label(label)?;
        let Some(n) = s.len.checked_sub(1) else {
            return Err(self.err(format!(
                "type mismatch: br_on_non_null to label {label}, which carries no values"
            )));
        };
        let last = self.pool.at(s, n);
        let (_, heap) = self.pop_ref("br_on_non_null")?;
        let t = OpType::reference(false, heap);
        if !last.is_ref() || !self.cx.subtypes.matches(t, last) {
            return Err(self.err(format!(
                "type mismatch: br_on_non_null passes {t} to label {label}, which expects {last}"
            )));
        }
        let rest = Span {
            start: s.start,
            len: n,
        };
        self.pop_span(rest)?;
        self.push_span(rest);
        Ok(())
    }

    /// §3.3.8 `call`.
    #[inline(always)]
    fn Call(&mut self, func: FuncIdx) -> Result<()> {
        let sig = self.func_sig(func)?;
        self.pop_span(sig.params)?;
        self.push_span(sig.results);
        Ok(())
    }

    /// §3.3.8 `call_indirect`: the table must hold function references.
    fn CallIndirect(&mut self, ty: TypeIdx, table: TableIdx) -> Result<()> {
        if table.0 != 0 && !self.cx.features.has(Feature::ReferenceTypes) {
            return Err(self.malformed("zero byte expected"));
        }
        let elem = self.table(table)?;
        let addr = self.table_addr(table)?;
        let sig = self.type_sig(ty)?;
        if !self.cx.subtypes.matches(elem, OpType::FUNCREF) {
            return Err(self.err(format!(
                "type mismatch: call_indirect requires a table of funcref, table {table} holds {elem}"
            )));
        }
        self.pop(addr)?;
        self.pop_span(sig.params)?;
        self.push_span(sig.results);
        Ok(())
    }

    /// §3.3.4 `drop`.
    #[inline(always)]
    fn Drop(&mut self) -> Result<()> {
        self.pop_any().map(|_| ())
    }

    /// §3.3.4 `select` without a type: both operands numeric or both
    /// vectors, of the same type.
    fn Select(&mut self) -> Result<()> {
        self.pop(OpType::I32)?;
        let t1 = self.pop_any()?;
        let t2 = self.pop_any()?;
        if !((t1.is_num() && t2.is_num()) || (t1.is_vec() && t2.is_vec())) {
            return Err(self.err(format!(
                "type mismatch: select without a type needs numeric or vector operands, found {t2} and {t1}"
            )));
        }
        if t1 != t2 && t1 != OpType::UNKNOWN && t2 != OpType::UNKNOWN {
            return Err(self.err(format!(
                "type mismatch: select operands have different types {t2} and {t1}"
            )));
        }
        self.push(if t1 == OpType::UNKNOWN { t2 } else { t1 });
        Ok(())
    }

    /// §3.3.4 `select t`.
    fn TypedSelect(&mut self, ty: ValType) -> Result<()> {
        check_val_type(self.cx.features, self.cx.types.len(), ty).map_err(|m| self.err(m))?;
        let t = self.cx.subtypes.val(ty);
        self.pop(OpType::I32)?;
        self.pop(t)?;
        self.pop(t)?;
        self.push(t);
        Ok(())
    }

    /// §3.3.5 `local.get`.
    #[inline(always)]
    fn LocalGet(&mut self, local: LocalIdx) -> Result<()> {
        let t = self.local(local)?;
        if t.is_non_null_ref() {
            self.check_inited(local)?;
        }
        self.push(t);
        Ok(())
    }

    /// A local of a non-defaultable type must be set before it is read
    /// (§3.3.5 of 3.0, `local.get`).
    #[cold]
    #[inline(never)]
    fn check_inited(&self, local: LocalIdx) -> Result<()> {
        if u64::from(local.0) < self.num_params || self.inited.contains(&local.0) {
            Ok(())
        } else {
            Err(self.err(format!("uninitialized local {local}")))
        }
    }

    /// Records that a local of a non-defaultable type is set.
    #[cold]
    #[inline(never)]
    fn set_inited(&mut self, local: LocalIdx) {
        if u64::from(local.0) >= self.num_params && self.inited.insert(local.0) {
            self.init_stack.push(local.0);
        }
    }

    /// §3.3.5 `local.set`.
    #[inline(always)]
    fn LocalSet(&mut self, local: LocalIdx) -> Result<()> {
        let t = self.local(local)?;
        if t.is_non_null_ref() {
            self.set_inited(local);
        }
        self.pop(t)
    }

    /// §3.3.5 `local.tee`.
    #[inline(always)]
    fn LocalTee(&mut self, local: LocalIdx) -> Result<()> {
        let t = self.local(local)?;
        if t.is_non_null_ref() {
            self.set_inited(local);
        }
        self.pop(t)?;
        self.push(t);
        Ok(())
    }

    /// §3.3.5 `global.get`.
    #[inline(always)]
    fn GlobalGet(&mut self, global: GlobalIdx) -> Result<()> {
        match self.cx.global_types.get(global.index()) {
            Some(&t) => {
                self.push(t);
                Ok(())
            }
            None => Err(self.unknown("global", global)),
        }
    }

    /// §3.3.5 `global.set`: the global must be mutable.
    #[inline]
    fn GlobalSet(&mut self, global: GlobalIdx) -> Result<()> {
        match self.cx.globals.get(global.index()) {
            Some(g) if g.mutability == Mut::Var => self.pop(self.cx.global_types[global.index()]),
            Some(_) => Err(self.err("global is immutable")),
            None => Err(self.unknown("global", global)),
        }
    }

    /// §3.3.6 `table.get`.
    fn TableGet(&mut self, table: TableIdx) -> Result<()> {
        let t = self.table(table)?;
        let addr = self.table_addr(table)?;
        self.pop(addr)?;
        self.push(t);
        Ok(())
    }

    /// §3.3.6 `table.set`.
    fn TableSet(&mut self, table: TableIdx) -> Result<()> {
        let t = self.table(table)?;
        let addr = self.table_addr(table)?;
        self.pop(t)?;
        self.pop(addr)
    }

    /// §3.3.7 `memory.size`.
    fn MemorySize(&mut self, mem: MemIdx) -> Result<()> {
        let addr = self.memory(mem)?;
        self.push(addr);
        Ok(())
    }

    /// §3.3.7 `memory.grow`.
    fn MemoryGrow(&mut self, mem: MemIdx) -> Result<()> {
        let addr = self.memory(mem)?;
        self.pop(addr)?;
        self.push(addr);
        Ok(())
    }

    /// §3.3.2 `ref.null`.
    fn RefNull(&mut self, ty: HeapType) -> Result<()> {
        check_heap_type(self.cx.features, self.cx.types.len(), ty).map_err(|m| self.err(m))?;
        self.push(OpType::reference(true, self.cx.subtypes.heap(ty)));
        Ok(())
    }

    /// §3.3.2 `ref.is_null`: any reference.
    fn RefIsNull(&mut self) -> Result<()> {
        let t = self.pop_any()?;
        if !t.is_ref() {
            return Err(self.err(format!(
                "type mismatch: ref.is_null requires a reference but stack has [{t}]"
            )));
        }
        self.push(OpType::I32);
        Ok(())
    }

    /// §3.3.2 `ref.func`: the function must be declared in the module
    /// outside function bodies (§3.4.10, `C.refs`).
    fn RefFunc(&mut self, func: FuncIdx) -> Result<()> {
        self.func_sig(func)?;
        if !self.cx.refs.get(func.index()).copied().unwrap_or(false) {
            return Err(self.err(format!("undeclared function reference {func}")));
        }
        self.push(self.cx.func_ref(func.index()));
        Ok(())
    }

    /// §3.3.7 `memory.init`.
    fn MemoryInit(&mut self, data: DataIdx, mem: MemIdx) -> Result<()> {
        if self.cx.data_count.is_none() {
            return Err(self.malformed("data count section required"));
        }
        let addr = self.memory(mem)?;
        self.data(data)?;
        self.pop(OpType::I32)?;
        self.pop(OpType::I32)?;
        self.pop(addr)
    }

    /// §3.3.7 `data.drop`.
    fn DataDrop(&mut self, data: DataIdx) -> Result<()> {
        self.data(data)
    }

    /// §3.3.7 `memory.copy`.
    /// The length has the smaller of the two address types.
    fn MemoryCopy(&mut self, dst: MemIdx, src: MemIdx) -> Result<()> {
        let d = self.memory(dst)?;
        let s = self.memory(src)?;
        self.pop(OpType::min_addr(d, s))?;
        self.pop(s)?;
        self.pop(d)
    }

    /// §3.3.7 `memory.fill`.
    fn MemoryFill(&mut self, mem: MemIdx) -> Result<()> {
        let addr = self.memory(mem)?;
        self.pop(addr)?;
        self.pop(OpType::I32)?;
        self.pop(addr)
    }

    /// §3.3.6 `table.init`: the segment's type must match the table's.
    fn TableInit(&mut self, elem: ElemIdx, table: TableIdx) -> Result<()> {
        let t = self.table(table)?;
        let addr = self.table_addr(table)?;
        let e = self.elem(elem)?;
        if !self.cx.subtypes.matches(e, t) {
            return Err(self.err(format!(
                "type mismatch: table.init of a {e} segment into a table of {t}"
            )));
        }
        self.pop(OpType::I32)?;
        self.pop(OpType::I32)?;
        self.pop(addr)
    }

    /// §3.3.6 `elem.drop`.
    fn ElemDrop(&mut self, elem: ElemIdx) -> Result<()> {
        self.elem(elem).map(|_| ())
    }

    /// §3.3.6 `table.copy`: the element types must match.
    fn TableCopy(&mut self, dst: TableIdx, src: TableIdx) -> Result<()> {
        let d = self.table(dst)?;
        let s = self.table(src)?;
        if !self.cx.subtypes.matches(s, d) {
            return Err(self.err(format!(
                "type mismatch: table.copy from a table of {s} to a table of {d}"
            )));
        }
        let (da, sa) = (self.table_addr(dst)?, self.table_addr(src)?);
        self.pop(OpType::min_addr(da, sa))?;
        self.pop(sa)?;
        self.pop(da)
    }

    /// §3.3.6 `table.grow`.
    fn TableGrow(&mut self, table: TableIdx) -> Result<()> {
        let t = self.table(table)?;
        let addr = self.table_addr(table)?;
        self.pop(addr)?;
        self.pop(t)?;
        self.push(addr);
        Ok(())
    }

    /// §3.3.6 `table.size`.
    fn TableSize(&mut self, table: TableIdx) -> Result<()> {
        let addr = self.table_addr(table)?;
        self.push(addr);
        Ok(())
    }

    /// §3.3.6 `table.fill`.
    fn TableFill(&mut self, table: TableIdx) -> Result<()> {
        let t = self.table(table)?;
        let addr = self.table_addr(table)?;
        self.pop(addr)?;
        self.pop(t)?;
        self.pop(addr)
    }

    /// §3.3.3 `i8x16.shuffle`: every lane index below 32.
    fn I8x16Shuffle(&mut self, lanes: ShuffleLanes) -> Result<()> {
        if lanes.0.iter().any(|&l| l >= 32) {
            return Err(self.err("invalid lane index"));
        }
        self.pop(OpType::V128)?;
        self.pop(OpType::V128)?;
        self.push(OpType::V128);
        Ok(())
    }
}
