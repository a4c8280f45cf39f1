//! The interpreter's hand-written instructions as data: one table from
//! which the [`Op`](super::code::Op) variants, their tags
//! ([`Tag`](super::code::Tag)), their operand lists
//! ([`Op::visit_operands`](super::code::Op::visit_operands)), destination
//! and jump fields, the handler registration (`exec.rs`), the verifier's
//! checks (`verify.rs`) and the disassembler (`disasm.rs`) derive. The
//! instructions that mirror a Wasm instruction one to one come from the
//! front end's table instead (`weft_syntax::for_each_instr!`) and get
//! their operands from their signature class.
//!
//! An entry reads
//!
//! ```text
//! /// doc
//! Name { field: kind, ... } => handler [<modes>] [, ends];
//! ```
//!
//! - `kind` says what a field is, which fixes both its Rust type
//!   ([`kind_ty!`]) and how the verifier checks it:
//!   - `slot`, `slot2`: a frame slot of one value, of a v128 (two slots);
//!   - `out`, `out2`: the same, and the instruction's destination that the
//!     translator may retarget ([`Op::dst_mut`](super::code::Op::dst_mut));
//!   - `jump`: a jump offset, relative to the instruction;
//!   - `func`, `table`, `mem`, `mem16`, `global`, `data`, `elem`, `tag`,
//!     `func_type`: an index into that index space of the module;
//!   - `call_base`: the first slot of a call's arguments and results,
//!     whose extent the callee's type gives; `payload`: the first slot of
//!     a `throw`'s payload, whose extent the tag's type gives;
//!   - `br_len`: the number of `Jump` entries (less one) that follow a
//!     `br_table`;
//!   - `pair`, `load_pair`, `store_pair`: an index into that fusion list
//!     (`code.rs`); `lanes`: an index into the function's shuffle lanes;
//!   - `far_row`: the table row of a far memory access; `far_out`,
//!     `far_slot`: slots whose width that row's value type gives;
//!   - the type of an immediate that needs no check (`u8`, `u32`, `u64`,
//!     `TrapCode`, `GcOp`, `AtomicOp`; a new one is added to `code.rs`'
//!     `operand!`, so that a misspelt kind does not compile).
//! - `handler` is the `exec` function that runs the instruction, in
//!   operand mode 0; with `<modes>` it is generic over the mode and is
//!   registered in each mode listed (`code.rs`' `ACC_*` bits).
//!   `by_instance` means `exec::thread` picks it per instruction from a
//!   field (the fused pairs by their list index, `MemFar` by its row).
//! - `ends` marks an instruction after which execution never goes on to
//!   the next one (returns, jumps, traps, throws).
//!
//! Section comments say where the handlers live when not in `exec.rs`.

/// The Rust type of an operand kind (see the module documentation).
macro_rules! kind_ty {
    (slot) => {
        $crate::interp::code::Slot
    };
    (slot2) => {
        $crate::interp::code::Slot
    };
    (out) => {
        $crate::interp::code::Slot
    };
    (out2) => {
        $crate::interp::code::Slot
    };
    (call_base) => {
        $crate::interp::code::Slot
    };
    (payload) => {
        $crate::interp::code::Slot
    };
    (far_out) => {
        $crate::interp::code::Slot
    };
    (far_slot) => {
        $crate::interp::code::Slot
    };
    (jump) => {
        i32
    };
    (mem16) => {
        u16
    };
    (far_row) => {
        u16
    };
    (pair) => {
        u16
    };
    (load_pair) => {
        u16
    };
    (store_pair) => {
        u16
    };
    (func) => {
        u32
    };
    (table) => {
        u32
    };
    (mem) => {
        u32
    };
    (global) => {
        u32
    };
    (data) => {
        u32
    };
    (elem) => {
        u32
    };
    (tag) => {
        u32
    };
    (func_type) => {
        u32
    };
    (br_len) => {
        u32
    };
    (lanes) => {
        u32
    };
    ($imm:ident) => {
        $imm
    };
}
pub(crate) use kind_ty;

/// Calls `$m!` with the tokens `$pre` followed by the table's entries.
macro_rules! for_each_op {
    ($m:ident $($pre:tt)*) => {
        $m! { $($pre)*
            /// Trap with `code`.
            Trap { code: TrapCode } => Trap, ends;
            /// Run this function's machine code on the frame's slots (the
            /// compiler tier's stub, followed by `Ret`; see `compiled.rs`).
            Native => Native;
            /// Charge `amount` units of fuel.
            Fuel { amount: u32 } => Fuel;
            /// Trap with "interrupt" if the engine's epoch has reached the
            /// store's deadline.
            Epoch => Epoch;
            /// Jump by `offset` instructions (relative to this one).
            Jump { offset: jump } => Jump, ends;
            /// Jump if `cond` (an i32) is not zero.
            JumpIfNez { cond: slot, offset: jump } => JumpIfNez<0, 2>;
            /// Jump if `cond` (an i32) is zero.
            JumpIfEqz { cond: slot, offset: jump } => JumpIfEqz<0, 2>;
            /// Jump if the i32 comparison `lhs eq rhs` holds.
            BrI32Eq { lhs: slot, rhs: slot, offset: jump } => BrI32Eq<0, 2, 4>;
            /// Jump if the i32 comparison `lhs ne rhs` holds.
            BrI32Ne { lhs: slot, rhs: slot, offset: jump } => BrI32Ne<0, 2, 4>;
            /// Jump if the i32 comparison `lhs lts rhs` holds.
            BrI32LtS { lhs: slot, rhs: slot, offset: jump } => BrI32LtS<0, 2, 4>;
            /// Jump if the i32 comparison `lhs ltu rhs` holds.
            BrI32LtU { lhs: slot, rhs: slot, offset: jump } => BrI32LtU<0, 2, 4>;
            /// Jump if the i32 comparison `lhs gts rhs` holds.
            BrI32GtS { lhs: slot, rhs: slot, offset: jump } => BrI32GtS<0, 2, 4>;
            /// Jump if the i32 comparison `lhs gtu rhs` holds.
            BrI32GtU { lhs: slot, rhs: slot, offset: jump } => BrI32GtU<0, 2, 4>;
            /// Jump if the i32 comparison `lhs les rhs` holds.
            BrI32LeS { lhs: slot, rhs: slot, offset: jump } => BrI32LeS<0, 2, 4>;
            /// Jump if the i32 comparison `lhs leu rhs` holds.
            BrI32LeU { lhs: slot, rhs: slot, offset: jump } => BrI32LeU<0, 2, 4>;
            /// Jump if the i32 comparison `lhs ges rhs` holds.
            BrI32GeS { lhs: slot, rhs: slot, offset: jump } => BrI32GeS<0, 2, 4>;
            /// Jump if the i32 comparison `lhs geu rhs` holds.
            BrI32GeU { lhs: slot, rhs: slot, offset: jump } => BrI32GeU<0, 2, 4>;
            /// Jump if the i64 comparison `lhs eq rhs` holds.
            BrI64Eq { lhs: slot, rhs: slot, offset: jump } => BrI64Eq<0, 2, 4>;
            /// Jump if the i64 comparison `lhs ne rhs` holds.
            BrI64Ne { lhs: slot, rhs: slot, offset: jump } => BrI64Ne<0, 2, 4>;
            /// Jump if the i64 comparison `lhs lts rhs` holds.
            BrI64LtS { lhs: slot, rhs: slot, offset: jump } => BrI64LtS<0, 2, 4>;
            /// Jump if the i64 comparison `lhs ltu rhs` holds.
            BrI64LtU { lhs: slot, rhs: slot, offset: jump } => BrI64LtU<0, 2, 4>;
            /// Jump if the i64 comparison `lhs gts rhs` holds.
            BrI64GtS { lhs: slot, rhs: slot, offset: jump } => BrI64GtS<0, 2, 4>;
            /// Jump if the i64 comparison `lhs gtu rhs` holds.
            BrI64GtU { lhs: slot, rhs: slot, offset: jump } => BrI64GtU<0, 2, 4>;
            /// Jump if the i64 comparison `lhs les rhs` holds.
            BrI64LeS { lhs: slot, rhs: slot, offset: jump } => BrI64LeS<0, 2, 4>;
            /// Jump if the i64 comparison `lhs leu rhs` holds.
            BrI64LeU { lhs: slot, rhs: slot, offset: jump } => BrI64LeU<0, 2, 4>;
            /// Jump if the i64 comparison `lhs ges rhs` holds.
            BrI64GeS { lhs: slot, rhs: slot, offset: jump } => BrI64GeS<0, 2, 4>;
            /// Jump if the i64 comparison `lhs geu rhs` holds.
            BrI64GeU { lhs: slot, rhs: slot, offset: jump } => BrI64GeU<0, 2, 4>;
            /// Jump if the f32 comparison `Eq` holds.
            BrF32Eq { lhs: slot, rhs: slot, offset: jump } => BrF32Eq<0, 2, 4>;
            /// Jump if the f32 comparison `Ne` holds.
            BrF32Ne { lhs: slot, rhs: slot, offset: jump } => BrF32Ne<0, 2, 4>;
            /// Jump if the f32 comparison `Lt` holds.
            BrF32Lt { lhs: slot, rhs: slot, offset: jump } => BrF32Lt<0, 2, 4>;
            /// Jump if the f32 comparison `Gt` holds.
            BrF32Gt { lhs: slot, rhs: slot, offset: jump } => BrF32Gt<0, 2, 4>;
            /// Jump if the f32 comparison `Le` holds.
            BrF32Le { lhs: slot, rhs: slot, offset: jump } => BrF32Le<0, 2, 4>;
            /// Jump if the f32 comparison `Ge` holds.
            BrF32Ge { lhs: slot, rhs: slot, offset: jump } => BrF32Ge<0, 2, 4>;
            /// Jump if the f32 comparison `NotLt` holds.
            BrF32NotLt { lhs: slot, rhs: slot, offset: jump } => BrF32NotLt<0, 2, 4>;
            /// Jump if the f32 comparison `NotGt` holds.
            BrF32NotGt { lhs: slot, rhs: slot, offset: jump } => BrF32NotGt<0, 2, 4>;
            /// Jump if the f32 comparison `NotLe` holds.
            BrF32NotLe { lhs: slot, rhs: slot, offset: jump } => BrF32NotLe<0, 2, 4>;
            /// Jump if the f32 comparison `NotGe` holds.
            BrF32NotGe { lhs: slot, rhs: slot, offset: jump } => BrF32NotGe<0, 2, 4>;
            /// Jump if the f64 comparison `Eq` holds.
            BrF64Eq { lhs: slot, rhs: slot, offset: jump } => BrF64Eq<0, 2, 4>;
            /// Jump if the f64 comparison `Ne` holds.
            BrF64Ne { lhs: slot, rhs: slot, offset: jump } => BrF64Ne<0, 2, 4>;
            /// Jump if the f64 comparison `Lt` holds.
            BrF64Lt { lhs: slot, rhs: slot, offset: jump } => BrF64Lt<0, 2, 4>;
            /// Jump if the f64 comparison `Gt` holds.
            BrF64Gt { lhs: slot, rhs: slot, offset: jump } => BrF64Gt<0, 2, 4>;
            /// Jump if the f64 comparison `Le` holds.
            BrF64Le { lhs: slot, rhs: slot, offset: jump } => BrF64Le<0, 2, 4>;
            /// Jump if the f64 comparison `Ge` holds.
            BrF64Ge { lhs: slot, rhs: slot, offset: jump } => BrF64Ge<0, 2, 4>;
            /// Jump if the f64 comparison `NotLt` holds.
            BrF64NotLt { lhs: slot, rhs: slot, offset: jump } => BrF64NotLt<0, 2, 4>;
            /// Jump if the f64 comparison `NotGt` holds.
            BrF64NotGt { lhs: slot, rhs: slot, offset: jump } => BrF64NotGt<0, 2, 4>;
            /// Jump if the f64 comparison `NotLe` holds.
            BrF64NotLe { lhs: slot, rhs: slot, offset: jump } => BrF64NotLe<0, 2, 4>;
            /// Jump if the f64 comparison `NotGe` holds.
            BrF64NotGe { lhs: slot, rhs: slot, offset: jump } => BrF64NotGe<0, 2, 4>;
            /// `dst = src == 0 ? a : b` for an i64 `cond`.
            ChooseZ64 { dst: out, cond: slot, a: slot, b: slot } => ChooseZ64<0, 1, 2, 3, 17, 19>;
            /// `br_table`: followed by `len + 1` `Jump`s; takes entry
            /// `min(index, len)`.
            JumpTable { index: slot, len: br_len } => JumpTable<0, 2>, ends;
            /// `dst = src`.
            Move { dst: slot, src: slot } => Move;
            /// `dst, dst+1 = src, src+1` (a v128).
            Move128 { dst: slot2, src: slot2 } => Move128;
            /// `dst = op2(op1(a, b), c)` for pair `pair` of
            /// [`for_each_pair`] (its handler knows which).
            Pair { dst: out, a: slot, b: slot, c: slot, pair: pair } => by_instance;
            /// Jump if the `i32.load` at `addr` (`+ idx` in mode
            /// `ADDR_ADD`) `+ offset` is not zero.
            LoadJumpIfNez { addr: slot, idx: slot, offset: u32, jump: jump } => LoadJumpIfNez<0, 2, 8, 10>;
            /// Jump if that `i32.load` is zero.
            LoadJumpIfEqz { addr: slot, idx: slot, offset: u32, jump: jump } => LoadJumpIfEqz<0, 2, 8, 10>;
            /// Jump if that `i32.load8_u` is not zero.
            Load8JumpIfNez { addr: slot, idx: slot, offset: u32, jump: jump } => Load8JumpIfNez<0, 2, 8, 10>;
            /// Jump if that `i32.load8_u` is zero.
            Load8JumpIfEqz { addr: slot, idx: slot, offset: u32, jump: jump } => Load8JumpIfEqz<0, 2, 8, 10>;
            /// `dst = op2(load(addr (+ idx) + offset), c)` for pair `pair`
            /// of [`for_each_load_pair`] (its handler knows which).
            LoadPair { dst: out, addr: slot, idx: slot, c: slot, pair: load_pair, offset: u32 } => by_instance;
            /// `store(addr + offset, op(a, b))` for pair `pair` of
            /// [`for_each_store_pair`] (its handler knows which).
            StorePair { addr: slot, a: slot, b: slot, pair: store_pair, offset: u32 } => by_instance;
            /// `dst = (x & m) == 0 ? a : b` (`select` on `eqz (and x m)`,
            /// for i32 and i64 alike: i32 slots are zero-extended).
            ChooseTestZ { dst: out, x: slot, m: slot, a: slot, b: slot } => ChooseTestZ<0, 1, 17>;
            /// `d1 = s1`, then `d2 = s2`: two `Move`s in a row.
            Move2 { d1: slot, s1: slot, d2: slot, s2: slot } => Move2;
            /// Return; the results are already in slots 0...
            Ret => Ret, ends;
            /// Return the one-slot value `src` (moved to slot 0).
            Ret1 { src: slot } => Ret1, ends;
            /// Return the v128 `src` (moved to slots 0, 1).
            Ret128 { src: slot2 } => Ret128, ends;
            /// Call function `func` (module index space); the arguments are
            /// at `base..`, and so are the results afterwards.
            CallDirect { base: call_base, func: func } => CallDirect;
            /// Call the function at `table[index]`, checked against type
            /// `ty` (module type index).
            CallTable { base: call_base, index: slot, ty: func_type, table: table } => CallTable;
            /// `return_call`: call function `func` in place of the current
            /// one (its frame is reused: the arguments at `base..` move to
            /// slot 0). A host function is called as by `CallDirect`, and
            /// the return that follows this instruction returns its results.
            TailCall { base: call_base, func: func } => TailCall;
            /// `return_call_indirect`: `CallTable` in place of the current
            /// function, as `TailCall`.
            TailCallTable { base: call_base, index: slot, ty: func_type, table: table } => TailCallTable;
            /// `dst = cond != 0 ? a : b`.
            Choose { dst: out, cond: slot, a: slot, b: slot } => Choose<0, 1, 2, 3, 17, 19>;
            /// `select` of v128 values.
            Choose128 { dst: out2, cond: slot, a: slot2, b: slot2 } => Choose128;
            /// `dst = global`.
            GlobalRead { dst: out, global: global } => GlobalRead;
            /// `dst = global` (v128).
            GlobalRead128 { dst: out2, global: global } => GlobalRead128;
            /// `global = src`.
            GlobalWrite { src: slot, global: global } => GlobalWrite;
            /// `global = src` (v128).
            GlobalWrite128 { src: slot2, global: global } => GlobalWrite128;
            /// `dst = ref.func func`.
            FuncRef { dst: out, func: func } => FuncRef;
            /// `dst = src == null`.
            IsNull { dst: out, src: slot } => IsNull;
            /// `dst = table[index]`.
            TableRead { dst: out, index: slot, table: table } => TableRead;
            /// `table[index] = val`.
            TableWrite { index: slot, val: slot, table: table } => TableWrite;
            /// `dst = table.size`.
            TableLen { dst: out, table: table } => TableLen;
            /// `dst = table.grow(init, delta)`.
            TableExtend { dst: out, init: slot, delta: slot, table: table } => TableExtend;
            /// `table.fill(start, val, len)`.
            TableFillRange { start: slot, val: slot, len: slot, table: table } => TableFillRange;
            /// `table.copy`.
            TableCopyRange { dst: slot, src: slot, len: slot, dst_table: table, src_table: table } => TableCopyRange;
            /// `table.init`.
            TableInitRange { dst: slot, src: slot, len: slot, table: table, elem: elem } => TableInitRange;
            /// `elem.drop`.
            ElemDiscard { elem: elem } => ElemDiscard;
            /// `dst = memory.size` of memory `mem`.
            MemLen { dst: out, mem: mem } => MemLen;
            /// `dst = memory.grow(delta)` of memory `mem`.
            MemExtend { dst: out, delta: slot, mem: mem } => MemExtend;
            /// `memory.fill` of memory `mem`.
            MemFill { dst: slot, val: slot, len: slot, mem: mem } => MemFill;
            /// `memory.copy` from memory `src_mem` to memory `dst_mem`.
            MemCopy { dst: slot, src: slot, len: slot, dst_mem: mem, src_mem: mem } => MemCopy;
            /// `memory.init` of memory `mem`.
            MemInit { dst: slot, src: slot, len: slot, data: data, mem: mem } => MemInit;
            /// The load or store of table row `row` on memory `mem`, when
            /// that is not the register fast path (a memory other than 0,
            /// or a 64-bit one): `dst = load(mem[addr + off])` or
            /// `mem[addr + off] = store(val)`, lane `lane` for the lane
            /// accesses (`val` is then the vector operand). The offset
            /// (up to 64 bits) is read from slot `off`.
            MemFar { row: far_row, dst: far_out, addr: slot, val: far_slot, off: slot, mem: mem16, lane: u8 } => by_instance;
            /// `dst = min(src, u32::MAX)`: an index into a 64-bit table,
            /// narrowed for the table instructions (a table never has
            /// `u32::MAX` elements, so the narrowed index is out of bounds
            /// exactly when the original one is).
            Narrow64 { dst: out, src: slot } => Narrow64;
            /// `data.drop`.
            DataDiscard { data: data } => DataDiscard;
            /// `i8x16.shuffle` with lanes `shuffles[lanes]`.
            Shuffle { dst: out2, a: slot2, b: slot2, lanes: lanes } => Shuffle;
            /// `dst = value` for constants beyond the constant area.
            Const64 { dst: out, value: u64 } => Const64;
            /// `dst = a + b` (i32), then jump if `dst eq rhs`.
            AddBrI32Eq { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32Eq;
            /// `dst = a + b` (i32), then jump if `dst ne rhs`.
            AddBrI32Ne { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32Ne;
            /// `dst = a + b` (i32), then jump if `dst lts rhs`.
            AddBrI32LtS { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32LtS;
            /// `dst = a + b` (i32), then jump if `dst ltu rhs`.
            AddBrI32LtU { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32LtU;
            /// `dst = a + b` (i32), then jump if `dst gts rhs`.
            AddBrI32GtS { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32GtS;
            /// `dst = a + b` (i32), then jump if `dst gtu rhs`.
            AddBrI32GtU { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32GtU;
            /// `dst = a + b` (i32), then jump if `dst les rhs`.
            AddBrI32LeS { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32LeS;
            /// `dst = a + b` (i32), then jump if `dst leu rhs`.
            AddBrI32LeU { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32LeU;
            /// `dst = a + b` (i32), then jump if `dst ges rhs`.
            AddBrI32GeS { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32GeS;
            /// `dst = a + b` (i32), then jump if `dst geu rhs`.
            AddBrI32GeU { dst: slot, a: slot, b: slot, rhs: slot, offset: jump } => AddBrI32GeU;
            /// `dst = a + b` (i32), then jump if `dst` is not zero.
            AddJumpIfNez { dst: slot, a: slot, b: slot, offset: jump } => AddJumpIfNez;
            /// `dst = a + b` (i32), then jump if `dst` is zero.
            AddJumpIfEqz { dst: slot, a: slot, b: slot, offset: jump } => AddJumpIfEqz;

            // Typed function references (handlers in `exec/refs.rs`).

            /// `call_ref`: call the function `callee` refers to (null
            /// traps); the arguments are at `base..`, and so are the
            /// results afterwards.
            CallFuncRef { base: slot, callee: slot } => CallFuncRef;
            /// `return_call_ref`: `CallRef` in place of the current
            /// function, as `TailCall`.
            TailCallFuncRef { base: slot, callee: slot } => TailCallFuncRef;
            /// Jump if the reference `cond` is null (all 64 bits zero).
            JumpIfNull { cond: slot, offset: jump } => refs::JumpIfNull;
            /// Jump if the reference `cond` is not null.
            JumpIfNonNull { cond: slot, offset: jump } => refs::JumpIfNonNull;
            /// The GC instruction `op` ([`GcOp`] says what its operands
            /// `a`, `b`, `c` and immediate `imm` are; handler in
            /// `exec/gc.rs`), result in `dst` if it has one.
            Gc { op: GcOp, dst: slot, a: slot, b: slot, c: slot, imm: u32 } => gc::Gc;

            // Threads (handler in `exec/atomic.rs`).

            /// The atomic access `op` on memory `mem` at `addr` plus the
            /// offset in slot `off` (up to 64 bits), with the operands `a`
            /// and `b` that [`AtomicKind`] says it has; result in `dst`
            /// unless it is a store.
            Atomic { op: AtomicOp, dst: out, addr: slot, a: slot, b: slot, off: slot, mem: mem16 } => atomic::Atomic;

            // Exceptions (handlers in `exec/exn.rs`).

            /// `throw`: a new exception of tag `tag` (module tag index)
            /// with the payload at `base..`, unwound to the innermost
            /// handler that catches it ([`CatchEntry`]).
            ThrowTag { base: payload, tag: tag } => exn::ThrowTag, ends;
            /// `throw_ref` (and the legacy `rethrow`): throws the exception
            /// `src` refers to again (null traps).
            ThrowExn { src: slot } => exn::ThrowExn, ends;
        }
    };
}
pub(crate) use for_each_op;
