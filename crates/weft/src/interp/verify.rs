//! The verifier of translated code: the invariants the handlers' unchecked
//! reads rest on, checked for every translated function before it runs.
//!
//! The handlers in `exec.rs` read and write frame slots, follow jumps and
//! index the function's side tables without bounds checks (see the module
//! documentation of `code.rs`). That is sound only if the translator kept
//! three promises, which [`verify`] checks on its output:
//! - every slot an instruction names, with the slots a v128 or a call's
//!   arguments and results extend over, lies below the frame size;
//! - every jump (branches, `br_table` entries) lands on an instruction of
//!   the same function, and execution cannot run off the end of the code;
//! - every index into a side table or an index space of the module is in
//!   range.
//!
//! The fourth promise, a handler for every instruction in its operand
//! mode, is checked when handlers are attached (`exec::thread`).
//!
//! The match over [`Op`] is exhaustive on purpose: a new instruction does
//! not compile until it says what it reads and writes here.
//!
//! Checking is linear in the code and runs on every translation, so that
//! the invariant is checked in release builds too: a violation is an
//! internal error of the translator, reported instead of executed.

use super::code::{
    CatchEntry, CatchKind, CompiledFunc, Op, Operand, RowTag, Slot, Space, LOAD_PAIRS, NO_SLOT,
    PAIRS, STORE_PAIRS,
};
use crate::module::ModuleInner;

/// Checks `f`, translated from a function of `m`.
pub(crate) fn verify(m: &ModuleInner, f: &CompiledFunc) -> Result<(), String> {
    let mut v = Verifier {
        m,
        f,
        at: 0,
        error: None,
    };
    for (at, inst) in f.code.iter().enumerate() {
        v.at = at;
        v.op(&inst.op());
        if let Some(e) = v.error {
            return Err(format!(
                "internal error: translated code fails verification at instruction {at} ({}): {e}",
                super::disasm::instruction(at, inst)
            ));
        }
    }
    for (i, c) in f.catches.iter().enumerate() {
        v.catch(c);
        if let Some(e) = v.error {
            return Err(format!(
                "internal error: translated code fails verification at catch entry {i}: {e}"
            ));
        }
    }
    match f.code.last().map(|i| i.op()) {
        Some(op) if op.ends_flow() => Ok(()),
        last => Err(format!(
            "internal error: translated code fails verification: it ends with {last:?}, \
             which does not end control flow"
        )),
    }
}

struct Verifier<'a> {
    m: &'a ModuleInner,
    f: &'a CompiledFunc,
    /// The instruction being checked.
    at: usize,
    /// The first violation found.
    error: Option<String>,
}

/// The slots a value of the row signature's type takes.
macro_rules! width {
    (v128) => {
        2
    };
    ($t:ident) => {
        1
    };
}

/// The slots of a table row's payload, by signature class (the classes of
/// `code.rs`' `payload!`). Every field is checked whatever the operand
/// mode: the translator fills the fields a mode does not read with slots
/// of the frame too.
macro_rules! row_slots {
    ($v:ident, $p:ident, (lane $n:literal : $a:ident -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.src, width!($a));
    }};
    ($v:ident, $p:ident, (lane $n:literal : $a:ident $b:ident -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.lhs, width!($a));
        $v.slot($p.rhs, width!($b));
    }};
    ($v:ident, $p:ident, (memlane $al:literal $n:literal : addr $x:ident -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.addr, 1);
        $v.slot($p.src, width!($x));
    }};
    ($v:ident, $p:ident, (memlane $al:literal $n:literal : addr $x:ident -> )) => {{
        $v.slot($p.addr, 1);
        $v.slot($p.val, width!($x));
    }};
    ($v:ident, $p:ident, (mem $al:literal : addr -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.addr, 1);
        $v.slot($p.idx, 1);
        $v.slot($p.sum, 1);
    }};
    ($v:ident, $p:ident, (mem $al:literal : addr $x:ident -> )) => {{
        $v.slot($p.addr, 1);
        $v.slot($p.val, width!($x));
        $v.slot($p.idx, 1);
    }};
    ($v:ident, $p:ident, ($a:ident $b:ident -> $r1:ident $r2:ident)) => {{
        $v.slot($p.dst, width!($r1) + width!($r2));
        $v.slot($p.lhs, width!($a));
        $v.slot($p.rhs, width!($b));
    }};
    ($v:ident, $p:ident, ($a:ident $b:ident $c:ident $d:ident -> $r1:ident $r2:ident)) => {{
        $v.slot($p.dst, width!($r1) + width!($r2));
        $v.slot($p.a, width!($a));
        $v.slot($p.b, width!($b));
        $v.slot($p.c, width!($c));
        $v.slot($p.d, width!($d));
    }};
    ($v:ident, $p:ident, ($a:ident -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.src, width!($a));
    }};
    ($v:ident, $p:ident, ($a:ident $b:ident -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.lhs, width!($a));
        $v.slot($p.rhs, width!($b));
    }};
    ($v:ident, $p:ident, ($a:ident $b:ident $c:ident -> $r:ident)) => {{
        $v.slot($p.dst, width!($r));
        $v.slot($p.a, width!($a));
        $v.slot($p.b, width!($b));
        $v.slot($p.c, width!($c));
    }};
    // Classes whose payload is uninhabited (`Never`): never built.
    ($v:ident, $p:ident, $sig:tt) => {
        match *$p {}
    };
}

impl Verifier<'_> {
    fn fail(&mut self, e: String) {
        self.error.get_or_insert(e);
    }

    /// `slot` and the `width - 1` after it are in the frame.
    fn slot(&mut self, slot: Slot, width: usize) {
        if slot as usize + width > self.f.frame_size {
            self.fail(format!(
                "slot {slot} (width {width}) beyond the frame of {} slots",
                self.f.frame_size
            ));
        }
    }

    /// The jump by `offset` lands on an instruction.
    fn jump(&mut self, offset: i32) {
        let target = self.at.checked_add_signed(offset as isize);
        if target.is_none_or(|t| t >= self.f.code.len()) {
            self.fail(format!(
                "jump by {offset} leaves the code of {} instructions",
                self.f.code.len()
            ));
        }
    }

    /// `index` is below `len`, the size of the `what` index space.
    fn index(&mut self, what: &str, index: u32, len: usize) {
        if index as usize >= len {
            self.fail(format!("{what} {index} out of range (of {len})"));
        }
    }

    /// The slots a call at `base` of a function of type `params -> results`
    /// uses: its arguments, then its results, from `base`.
    fn call_slots(&mut self, base: Slot, ty: &weft_syntax::FuncType, tail: bool) {
        let slots = |ts: &[weft_syntax::ValType]| {
            ts.iter()
                .map(|&t| 1 + (t == weft_syntax::ValType::V128) as usize)
                .sum::<usize>()
        };
        // A tail call's results go to the caller's caller.
        let results = if tail { 0 } else { slots(&ty.results) };
        self.slot(base, slots(&ty.params).max(results));
    }

    fn func_count(&self) -> usize {
        self.m.func_types.len()
    }

    /// The slots of the payload of module tag `tag`, if it has that tag.
    fn payload_slots(&mut self, tag: u32) -> Option<usize> {
        self.index("tag", tag, self.m.tag_types.len());
        let t = self.m.tag_types.get(tag as usize)?;
        let ty = crate::module::func_type(&self.m.module.types, t.ty);
        Some(
            ty.params
                .iter()
                .map(|&t| 1 + (t == weft_syntax::ValType::V128) as usize)
                .sum(),
        )
    }

    /// Checks operand `o` of the hand-written instruction `op`.
    fn operand(&mut self, op: &Op, o: Operand<'_>) {
        let m = self.m;
        match o {
            Operand::Slot(slot, width) => self.slot(slot, width),
            Operand::Jump(offset) => self.jump(offset),
            Operand::Index(space, index) => {
                let (what, len) = match space {
                    Space::FuncType => {
                        if m.module.types.func(weft_syntax::TypeIdx(index)).is_none() {
                            self.fail(format!("type {index} is not a function type"));
                        }
                        return;
                    }
                    Space::FarRow => {
                        if far_width(index as u16).is_none() {
                            self.fail(format!("row {index} is not a memory access"));
                        }
                        return;
                    }
                    Space::Func => ("function", self.func_count()),
                    Space::Table => ("table", m.table_types.len()),
                    Space::Memory => ("memory", m.mem_types.len()),
                    Space::Global => ("global", m.global_types.len()),
                    Space::Data => ("data segment", m.module.datas.len()),
                    Space::Elem => ("element segment", m.module.elems.len()),
                    Space::Tag => ("tag", m.tag_types.len()),
                    Space::Pair => ("fused pair", PAIRS.len()),
                    Space::LoadPair => ("fused load pair", LOAD_PAIRS.len()),
                    Space::StorePair => ("fused store pair", STORE_PAIRS.len()),
                    Space::Lanes => ("shuffle", self.f.shuffles.len()),
                };
                self.index(what, index, len);
            }
            // The callee's type gives the extent; an index that names no
            // callee type fails as an index operand of the same instruction.
            Operand::CallBase(base) => {
                let types = &m.module.types;
                let in_range = |func: u32| (func as usize) < self.func_count();
                let (ty, tail) = match *op {
                    Op::CallDirect { func, .. } => {
                        (in_range(func).then(|| m.func_type(func)), false)
                    }
                    Op::TailCall { func, .. } => (in_range(func).then(|| m.func_type(func)), true),
                    Op::CallTable { ty, .. } => (types.func(weft_syntax::TypeIdx(ty)), false),
                    Op::TailCallTable { ty, .. } => (types.func(weft_syntax::TypeIdx(ty)), true),
                    _ => {
                        self.fail(format!("{} has a call base but no callee type", op.name()));
                        return;
                    }
                };
                if let Some(ty) = ty {
                    self.call_slots(base, ty, tail);
                }
            }
            Operand::Payload(base) => match *op {
                Op::ThrowTag { tag, .. } => {
                    if let Some(n) = self.payload_slots(tag) {
                        self.slot(base, n);
                    }
                }
                _ => self.fail(format!("{} has a payload but no tag", op.name())),
            },
            Operand::BrLen(len) => self.br_table_entries(len),
            Operand::FarSlot(slot) => match *op {
                Op::MemFar { row, .. } => self.slot(slot, far_width(row).unwrap_or(1)),
                _ => self.fail(format!("{} has a far slot but no row", op.name())),
            },
            Operand::Imm(_) => {}
        }
    }

    /// The `len + 1` entries after a `br_table` are each a `Jump` (its
    /// handler reads them without checks).
    fn br_table_entries(&mut self, len: u32) {
        let entries = self.at + 1..=(self.at + 1).saturating_add(len as usize);
        for e in entries {
            match self.f.code.get(e).map(|i| i.op()) {
                Some(Op::Jump { offset }) => {
                    let at = std::mem::replace(&mut self.at, e);
                    self.jump(offset);
                    self.at = at;
                }
                other => self.fail(format!("br_table entry {e} is {other:?}, not a jump")),
            }
        }
    }

    /// A catch entry covers instructions of the function, continues at one,
    /// and delivers its values to slots of the frame.
    fn catch(&mut self, c: &CatchEntry) {
        let len = self.f.code.len();
        if c.start > c.end || c.end as usize > len {
            self.fail(format!(
                "range {}..{} beyond the code of {len} instructions",
                c.start, c.end
            ));
        }
        if matches!(c.kind, CatchKind::Delegate(_)) {
            return;
        }
        if c.pad as usize >= len {
            self.fail(format!("landing pad {} beyond the code", c.pad));
        }
        if c.exn != NO_SLOT {
            self.slot(c.exn, 1);
        }
        if let CatchKind::Tag(tag) = c.kind {
            if let Some(n) = self.payload_slots(tag) {
                if c.payload != NO_SLOT {
                    self.slot(c.payload, n);
                }
            }
        }
    }
}

/// The slots of the value a memory access of row signature `$sig` loads or
/// stores (its vector operand, for the lane accesses); `None` if the row
/// is not a memory access.
macro_rules! far_width {
    ((mem $al:literal : addr -> v128)) => {
        Some(2)
    };
    ((mem $al:literal : addr v128 -> )) => {
        Some(2)
    };
    ((memlane $($t:tt)*)) => {
        Some(2)
    };
    ((mem $($t:tt)*)) => {
        Some(1)
    };
    ($sig:tt) => {
        None
    };
}

/// `Verifier::op`: the table rows' variants by their signatures, then the
/// hand-written variants, in one exhaustive match (a new variant does not
/// compile until it has its arm here).
macro_rules! verify_ops {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// The slots of the value of a far memory access of table row
        /// `row` (`Op::MemFar`), if that row is a memory access.
        fn far_width(row: u16) -> Option<usize> {
            match row {
                $( r if r == RowTag::$variant as u16 => far_width!($sig), )*
                _ => None,
            }
        }

        impl Verifier<'_> {
            fn op(&mut self, op: &Op) {
                match *op {
                    $( Op::$variant(ref p) => row_slots!(self, p, $sig), )*
                    // The hand-written variants, by the kinds of their
                    // fields (`isa.rs`).
                    _ => op.visit_operands(|_, o| self.operand(op, o)),
                }
            }
        }
    };
}
weft_syntax::for_each_instr!(verify_ops);

#[cfg(test)]
mod tests {
    use super::super::code::{CompiledFunc, Op};
    use super::verify;
    use crate::module::ModuleInner;

    /// A module with a loop, a `br_table`, a call and v128 values.
    const WAT: &str = r#"(module
      (func $f (param i32 i32) (result i32)
        (local v128)
        (local.set 2 (v128.const i32x4 1 2 3 4))
        (block (block (block
          (br_table 0 1 2 (local.get 0)))
          (return (i32.add (local.get 0) (local.get 1))))
          (return (i32x4.extract_lane 1 (local.get 2))))
        (loop $l
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_if $l (local.get 0)))
        (call $f (local.get 1) (local.get 0))))"#;

    fn module() -> crate::Module {
        let engine = crate::Engine::default();
        crate::Module::new(&engine, WAT).expect("a valid module")
    }

    /// The translation of function 0, its instructions, and the same
    /// function rebuilt from `ops`, every instruction in mode `mode`.
    fn rebuild(m: &ModuleInner, ops: Vec<Op>, modes: &[u8]) -> CompiledFunc {
        let f = super::super::translate::translate(m, 0).expect("translated");
        CompiledFunc::new(
            super::super::exec::thread(ops, modes).expect("handlers for every instruction"),
            f.shuffles.clone(),
            f.param_slots,
            f.init.clone(),
            f.frame_size,
        )
    }

    fn ops(m: &ModuleInner) -> Vec<Op> {
        let f = super::super::translate::translate(m, 0).expect("translated");
        f.code.iter().map(|i| i.op()).collect()
    }

    #[test]
    fn translated_code_verifies() {
        let module = module();
        let m = &module.inner;
        let f = super::super::translate::translate(m, 0).expect("translated");
        assert_eq!(verify(m, &f), Ok(()));
    }

    /// Each kind of corruption of a correct function is found.
    #[test]
    fn corrupted_code_fails() {
        let module = module();
        let m = &module.inner;
        let good = ops(m);
        let frame = super::super::translate::translate(m, 0).unwrap().frame_size;
        let fails = |ops: Vec<Op>, modes: &[u8], what: &str| {
            let e = verify(m, &rebuild(m, ops, modes)).expect_err(what);
            assert!(e.starts_with("internal error: translated code fails verification"));
            e
        };

        // A slot beyond the frame.
        let mut bad = good.clone();
        let i = bad.iter().position(|op| op.clone().dst_mut().is_some());
        let i = i.expect("an instruction with a destination");
        *bad[i].dst_mut().unwrap() = frame as u16;
        let e = fails(bad, &[], "a slot beyond the frame");
        assert!(e.contains("beyond the frame"), "{e}");

        // A v128 in the frame's last slot.
        let mut bad = good.clone();
        let i = bad
            .iter()
            .position(|op| matches!(op, Op::Move128 { .. } | Op::I32x4ExtractLane(_)));
        match bad[i.expect("a v128 operand")] {
            Op::Move128 { ref mut src, .. } => *src = frame as u16 - 1,
            Op::I32x4ExtractLane(ref mut p) => p.src = frame as u16 - 1,
            _ => unreachable!(),
        }
        let e = fails(bad, &[], "a v128 half outside the frame");
        assert!(e.contains("width 2"), "{e}");

        // A jump out of the code, forwards and backwards.
        for offset in [good.len() as i32 + 1, -(good.len() as i32) - 1] {
            let mut bad = good.clone();
            let i = bad.iter().position(|op| op.clone().offset_mut().is_some());
            *bad[i.expect("a branch")].offset_mut().unwrap() = offset;
            let e = fails(bad, &[], "a jump out of the code");
            assert!(e.contains("leaves the code"), "{e}");
        }

        // A `br_table` entry that is not a jump.
        let mut bad = good.clone();
        let i = bad.iter().position(|op| matches!(op, Op::JumpTable { .. }));
        bad[i.expect("a br_table") + 1] = Op::Trap {
            code: crate::TrapCode::Unreachable,
        };
        let e = fails(bad, &[], "a br_table entry that is not a jump");
        assert!(e.contains("not a jump"), "{e}");

        // An operand mode without a handler.
        let i = good
            .iter()
            .position(|op| matches!(op, Op::CallDirect { .. }));
        let mut modes = vec![0; good.len()];
        modes[i.expect("a call")] = 31;
        let e = super::super::exec::thread(good.clone(), &modes).expect_err("no handler");
        assert!(e.contains("has no handler in operand mode 31"), "{e}");

        // Code that runs off its end.
        let mut bad = good.clone();
        bad.push(Op::Move { dst: 0, src: 0 });
        let e = fails(bad, &[], "falling off the end");
        assert!(e.contains("does not end control flow"), "{e}");

        // A call of a function the module does not have.
        let mut bad = good.clone();
        let i = bad
            .iter()
            .position(|op| matches!(op, Op::CallDirect { .. }));
        if let Op::CallDirect { ref mut func, .. } = bad[i.expect("a call")] {
            *func = 7;
        }
        let e = fails(bad, &[], "an unknown function");
        assert!(e.contains("function 7 out of range"), "{e}");
        // The message quotes the instruction, disassembled.
        assert!(e.contains("(CallDirect base=s"), "{e}");
    }
}
