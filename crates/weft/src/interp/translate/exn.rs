//! Exception handling: `throw`, `throw_ref`, `try_table` and the legacy
//! `try`/`catch`/`delegate`/`rethrow`, as catch entries and landing pads
//! (`code.rs`' `CatchEntry`).

use super::*;

impl<'m> Translator<'m> {
    /// The first instruction of a try block's body: nothing before it
    /// fuses with what follows, so that the body's instructions stay inside
    /// its range.
    pub(super) fn try_start(&mut self) -> u32 {
        self.last_producer = None;
        self.last_bind = self.code.len();
        self.code.len() as u32
    }

    /// The type of tag `tag`.
    pub(super) fn tag_type(&self, tag: TagIdx) -> Result<&'m FuncType> {
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
    pub(super) fn close_body(&mut self, ci: usize) {
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
    pub(super) fn landing_pad(&mut self, height: usize, types: &[ValType]) -> Result<(u32, Slot)> {
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
    pub(super) fn end_try_table(&mut self) -> Result<()> {
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
    pub(super) fn legacy_catch(&mut self, kind: CatchKind) -> Result<()> {
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
}

#[allow(non_snake_case)] // methods named after the instruction table's variants
impl Translator<'_> {
    pub(super) fn Throw(&mut self, tag: TagIdx) -> Result<()> {
        let params = &self.tag_type(tag)?.params;
        let base = self.call_args(params, &[])?;
        self.emit(Op::ThrowTag { base, tag: tag.0 });
        self.reachable = false;
        Ok(())
    }

    pub(super) fn ThrowRef(&mut self) -> Result<()> {
        let src = self.pop_slot()?;
        self.emit(Op::ThrowExn { src });
        self.reachable = false;
        Ok(())
    }

    pub(super) fn TryTable(&mut self, block_type: BlockType, catches: Catches<'_>) -> Result<()> {
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

    pub(super) fn Try(&mut self, block_type: BlockType) -> Result<()> {
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

    pub(super) fn Catch(&mut self, tag: TagIdx) -> Result<()> {
        self.legacy_catch(CatchKind::Tag(tag.0))
    }

    pub(super) fn CatchAll(&mut self) -> Result<()> {
        self.legacy_catch(CatchKind::All)
    }

    pub(super) fn Delegate(&mut self, label: LabelIdx) -> Result<()> {
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

    pub(super) fn Rethrow(&mut self, label: LabelIdx) -> Result<()> {
        let ci = self.ctrl_at(label)?;
        let c = &self.ctrls[ci];
        if c.kind != CtrlKind::Catch {
            return Err("internal error: rethrow outside a catch".into());
        }
        self.emit(Op::ThrowExn { src: c.exn_slot });
        self.reachable = false;
        Ok(())
    }
}
