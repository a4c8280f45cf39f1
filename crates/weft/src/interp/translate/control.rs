//! Blocks, loops, `if`, branches and returns: labels and their fix-ups,
//! branch values, loop rotation.

use super::*;

impl<'m> Translator<'m> {
    pub(super) fn new_label(&mut self) -> usize {
        self.labels.push(Label::default());
        self.labels.len() - 1
    }

    /// Binds `label` to the next instruction.
    pub(super) fn bind(&mut self, label: usize) {
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
    pub(super) fn emit_jump(&mut self, op: Op, label: usize, bits: u8) {
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

    /// Emits the return of the top stack entries (the function's results).
    pub(super) fn emit_return(&mut self) -> Result<()> {
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

    pub(super) fn ctrl_at(&self, depth: LabelIdx) -> Result<usize> {
        let d = depth.index();
        if d >= self.ctrls.len() {
            return Err(format!("internal error: unknown label {depth}"));
        }
        Ok(self.ctrls.len() - 1 - d)
    }

    /// Emits an unconditional branch to the frame at `ci` with its values
    /// on top of the stack (left in place).
    pub(super) fn branch_to(&mut self, ci: usize) -> Result<()> {
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
    pub(super) fn rotate_loop(&mut self, loop_label: usize) -> bool {
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

    /// Whether a branch to frame `ci` is a plain jump (no copies, no
    /// return).
    pub(super) fn is_plain_branch(&self, ci: usize) -> bool {
        let c = &self.ctrls[ci];
        if c.kind == CtrlKind::Func {
            return false;
        }
        let types = c.label_types();
        self.in_place(types.len(), slots(types), c.pos)
    }

    pub(super) fn block_sig(&self, bt: BlockType) -> Result<(&'m [ValType], &'m [ValType])> {
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

    pub(super) fn enter(&mut self, kind: CtrlKind, bt: BlockType) -> Result<()> {
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
}

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    pub(super) fn Unreachable(&mut self) -> Result<()> {
        self.emit(Op::Trap {
            code: TrapCode::Unreachable,
        });
        self.reachable = false;
        Ok(())
    }

    pub(super) fn Block(&mut self, block_type: BlockType) -> Result<()> {
        self.enter(CtrlKind::Block, block_type)
    }

    pub(super) fn Loop(&mut self, block_type: BlockType) -> Result<()> {
        self.enter(CtrlKind::Loop, block_type)?;
        let label = self.ctrls.last().map(|c| c.label).unwrap_or_default();
        self.bind(label);
        self.fuel_point();
        Ok(())
    }

    pub(super) fn If(&mut self, block_type: BlockType) -> Result<()> {
        let cond = self.pop()?;
        self.enter(CtrlKind::If, block_type)?;
        let else_label = self.ctrls.last().map(|c| c.else_label).unwrap_or_default();
        self.cond_jump(cond, false, else_label);
        Ok(())
    }

    pub(super) fn Else(&mut self) -> Result<()> {
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

    pub(super) fn End(&mut self) -> Result<()> {
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
            } else if !self.code.last().is_some_and(Op::ends_flow) {
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

    pub(super) fn Br(&mut self, label: LabelIdx) -> Result<()> {
        let ci = self.ctrl_at(label)?;
        self.branch_to(ci)?;
        self.reachable = false;
        Ok(())
    }

    pub(super) fn BrIf(&mut self, label: LabelIdx) -> Result<()> {
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

    pub(super) fn BrTable(&mut self, targets: BrTable<'_>) -> Result<()> {
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

    pub(super) fn Return(&mut self) -> Result<()> {
        self.emit_return()?;
        self.reachable = false;
        Ok(())
    }

    /// `ref.as_non_null`: a trap unless the reference is non-null, which
    /// stays on the stack.
    pub(super) fn RefAsNonNull(&mut self) -> Result<()> {
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
    pub(super) fn BrOnNull(&mut self, label: LabelIdx) -> Result<()> {
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
    pub(super) fn BrOnNonNull(&mut self, label: LabelIdx) -> Result<()> {
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
