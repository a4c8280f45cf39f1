//! Instructions (§6.5): plain, structured and folded instructions, parsed
//! into [`Instr`] values and encoded to bytes with the binary crate's
//! encoder.
//!
//! Plain instructions are parsed by code generated from the instruction
//! table: each immediate type knows its text syntax ([`TextImmediate`]), and
//! the default alignment of a memory argument comes from the row's signature
//! class. Structured instructions, folded instructions and the few rows with
//! irregular text syntax are handled by hand. Nesting is tracked on an
//! explicit stack of [`Frame`]s, so nesting depth costs heap, not native
//! stack.

use crate::lexer::{number_kind, Kind, Token};
use crate::num;
use crate::parser::{nat32, unexpected, Cursor};
use crate::spans::Mark;
use crate::wat::{at_idx, idx, type_use, ModCx, Range, Space};
use crate::Result;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use weft_binary::{encode_instr, Immediate};
use weft_syntax::excerpt;
use weft_syntax::{
    BlockType, BrTable, CastFlags, Catch, Catches, DataIdx, ElemIdx, Feature, FieldIdx, FuncIdx,
    GlobalIdx, HeapType, Instr, InstrKind, LabelIdx, LaneIdx, LocalIdx, MemArg, MemIdx,
    ShuffleLanes, TableIdx, TagIdx, TypeIdx, ValType, ZeroByte, F32, F64, INSTRS, V128,
};

/// Whether an instruction sequence is a function body or a constant
/// expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExprKind {
    Func,
    Const,
}

/// The row of a mnemonic. `select` maps to the untyped row; the typed one
/// is chosen by its `(result t)` annotation.
pub(crate) fn lookup_mnemonic(s: &str) -> Option<InstrKind> {
    static MAP: OnceLock<HashMap<&'static str, InstrKind>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for (info, kind) in INSTRS.iter().zip(KINDS) {
            m.entry(info.mnemonic).or_insert(*kind);
        }
        m
    })
    .get(s)
    .copied()
}

/// Parses the instructions in `range` and appends their encoding and the
/// final `end` to `out`.
pub(crate) fn parse_expr<'a>(
    m: &mut ModCx<'a>,
    toks: &[Token<'a>],
    range: Range,
    locals: &HashMap<Cow<'a, str>, u32>,
    kind: ExprKind,
    out: &mut Vec<u8>,
) -> Result<()> {
    let mut p = BodyParser {
        c: Cursor {
            toks,
            pos: range.start,
            types: Some(m.type_names.clone()),
        },
        m,
        locals,
        labels: Vec::new(),
        blocks: 0,
        kind,
    };
    p.instrs(range.end, out)?;
    if p.c.pos != range.end {
        return Err(p.c.unexpected());
    }
    out.push(0x0B);
    Ok(())
}

/// The state of an unfinished nested construct.
enum Frame<'a> {
    /// A folded plain instruction, emitted after its operands at `)`, and
    /// its keyword's position.
    Folded(Vec<u8>, (u32, u32)),
    /// A folded `block` or `loop`: `end` at `)`.
    FoldedBlock,
    /// A folded `if`; `pending` is its encoding, emitted at `(then`.
    FoldedIf {
        state: IfState,
        pending: Vec<u8>,
        label: Option<Cow<'a, str>>,
        /// The position of the `if` keyword.
        at: (u32, u32),
    },
    /// A plain `block`, `loop`, `if`, `try_table` or legacy `try`, closed
    /// by `end` (or, for `try`, by `delegate`).
    Plain {
        kind: PlainKind,
        label: Option<Cow<'a, str>>,
    },
    /// A folded legacy `try`: `(try bt (do ..) (catch x ..)* (catch_all ..)?)`
    /// or `(try bt (do ..) (delegate l))`.
    FoldedTry(TryState),
}

/// What a plain structured instruction accepts before its `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlainKind {
    /// `block`, `loop`, `try_table`, or an `if` after its `else`.
    Block,
    /// An `if` before `else`.
    If,
    /// A legacy `try` or `catch` handler: `catch`, `catch_all` (and, for
    /// `try` alone, `delegate`) may follow.
    Try,
    Catch,
    /// A legacy `catch_all` handler: only `end` follows.
    CatchAll,
}

/// Where a folded legacy `try` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TryState {
    /// `(do` next.
    Do,
    /// Inside `(do ...)`.
    DoBody,
    /// Inside a `(catch x ...)` handler.
    CatchBody,
    /// After `(do ...)` or a `(catch ...)`: `(catch`, `(catch_all`,
    /// (right after `do`) `(delegate`, or `)` next.
    Handlers { after_do: bool },
    /// Inside `(catch_all ...)`.
    CatchAllBody,
    /// After `(catch_all ...)`: `)` next.
    Done,
    /// After `(delegate l)`, which ended the block: `)` next.
    Delegated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IfState {
    /// Reading the condition's folded instructions.
    Cond,
    /// Inside `(then ...)`.
    Then,
    /// After `(then ...)`: `(else` or `)` next.
    AfterThen,
    /// Inside `(else ...)`.
    Else,
    /// After `(else ...)`: `)` next.
    AfterElse,
}

/// What the innermost frame expects next.
#[derive(Clone, Copy)]
enum Ctx {
    Seq,
    Folded,
    If(IfState),
    Try(TryState),
}

pub(crate) struct BodyParser<'c, 't, 'a> {
    c: Cursor<'t, 'a>,
    m: &'c mut ModCx<'a>,
    locals: &'c HashMap<Cow<'a, str>, u32>,
    /// Labels in scope, innermost last, by [`Token::id_key`].
    labels: Vec<Option<Cow<'a, str>>>,
    /// How many structured instructions have been encoded: the next one's
    /// label index in the name section.
    blocks: u32,
    kind: ExprKind,
}

/// A token's line and column.
fn pos(t: &Token<'_>) -> (u32, u32) {
    (t.line, t.col)
}

impl<'a> BodyParser<'_, '_, 'a> {
    /// Records that the bytes from `at` on (in the expression being built)
    /// were written by the instruction at `pos`, for the source map. A
    /// later mark at the same offset replaces an earlier one: only the
    /// last token before bytes are written wrote them.
    fn mark(&mut self, at: usize, (line, col): (u32, u32)) {
        let Ok(offset) = u32::try_from(at) else {
            return;
        };
        let mark = Mark { offset, line, col };
        match self.m.marks.last_mut() {
            Some(last) if last.offset == offset => *last = mark,
            _ => self.m.marks.push(mark),
        }
    }

    /// Numbers a structured instruction, called where its opcode is
    /// encoded (a folded `if` after its condition): the name section's
    /// label indices follow the binary order, as wasm-tools counts them.
    fn number_label(&mut self, label: &Option<Cow<'a, str>>) {
        if let Some(l) = label {
            self.m.label_names.push((self.blocks, l.clone()));
        }
        self.blocks = self.blocks.saturating_add(1);
    }

    /// Parses instructions until `end` or an unmatched `)`.
    fn instrs(&mut self, end: usize, out: &mut Vec<u8>) -> Result<()> {
        let mut frames: Vec<Frame<'a>> = Vec::new();
        loop {
            if frames.is_empty() && self.c.pos >= end {
                return Ok(());
            }
            let t = self.c.peek();
            let ctx = match frames.last() {
                Some(Frame::Folded(..)) => Ctx::Folded,
                Some(Frame::FoldedIf { state, .. }) => Ctx::If(*state),
                Some(Frame::FoldedTry(state)) => match state {
                    TryState::DoBody | TryState::CatchBody | TryState::CatchAllBody => Ctx::Seq,
                    _ => Ctx::Try(*state),
                },
                _ => Ctx::Seq,
            };
            match ctx {
                Ctx::Folded => match t.kind {
                    Kind::LParen => self.folded_start(&mut frames, out)?,
                    Kind::RParen => {
                        self.c.bump();
                        if let Some(Frame::Folded(bytes, at)) = frames.pop() {
                            self.mark(out.len(), at);
                            out.extend_from_slice(&bytes);
                        }
                    }
                    _ => return Err(unexpected(&t)),
                },
                Ctx::If(IfState::Cond) => {
                    if self.c.eat_lparen_kw("then") {
                        if let Some(Frame::FoldedIf {
                            state,
                            pending,
                            label,
                            at,
                        }) = frames.last_mut()
                        {
                            let at = *at;
                            let len = out.len();
                            out.append(pending);
                            self.mark(len, at);
                            *state = IfState::Then;
                            let label = label.clone();
                            self.number_label(&label);
                            self.labels.push(label);
                        }
                    } else if t.kind == Kind::LParen {
                        self.folded_start(&mut frames, out)?;
                    } else {
                        return Err(unexpected(&t));
                    }
                }
                Ctx::If(IfState::AfterThen) => {
                    if self.c.eat_lparen_kw("else") {
                        if let Some(Frame::FoldedIf { state, .. }) = frames.last_mut() {
                            *state = IfState::Else;
                        }
                        self.mark(out.len(), pos(&t));
                        out.push(0x05);
                    } else if t.kind == Kind::RParen {
                        self.c.bump();
                        self.close_block(&mut frames, out);
                    } else {
                        return Err(unexpected(&t));
                    }
                }
                Ctx::Try(state) => self.folded_try_step(state, &t, &mut frames, out)?,
                Ctx::If(IfState::AfterElse) => {
                    if t.kind != Kind::RParen {
                        return Err(unexpected(&t));
                    }
                    self.c.bump();
                    self.close_block(&mut frames, out);
                }
                Ctx::Seq | Ctx::If(IfState::Then | IfState::Else) => match t.kind {
                    Kind::LParen => self.folded_start(&mut frames, out)?,
                    Kind::RParen => match frames.last_mut() {
                        None => return Ok(()),
                        Some(Frame::FoldedBlock) => {
                            self.c.bump();
                            self.close_block(&mut frames, out);
                        }
                        Some(Frame::FoldedIf { state, .. }) => {
                            self.c.bump();
                            *state = if *state == IfState::Then {
                                IfState::AfterThen
                            } else {
                                IfState::AfterElse
                            };
                        }
                        Some(Frame::FoldedTry(state)) => {
                            self.c.bump();
                            *state = match *state {
                                TryState::DoBody => TryState::Handlers { after_do: true },
                                TryState::CatchBody => TryState::Handlers { after_do: false },
                                _ => TryState::Done,
                            };
                        }
                        Some(Frame::Plain { .. } | Frame::Folded(..)) => {
                            return Err(unexpected(&t))
                        }
                    },
                    Kind::Keyword => {
                        self.mark(out.len(), pos(&t));
                        self.plain_or_structured(&t, &mut frames, out)?
                    }
                    _ => return Err(unexpected(&t)),
                },
            }
        }
    }

    /// One step of a folded legacy `try` between its parts (see
    /// [`TryState`]).
    fn folded_try_step(
        &mut self,
        state: TryState,
        t: &Token<'a>,
        frames: &mut Vec<Frame<'a>>,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let set = |frames: &mut Vec<Frame<'a>>, s: TryState| {
            if let Some(Frame::FoldedTry(state)) = frames.last_mut() {
                *state = s;
            }
        };
        self.mark(out.len(), pos(t));
        match state {
            TryState::Do => {
                if !self.c.eat_lparen_kw("do") {
                    return Err(unexpected(t));
                }
                set(frames, TryState::DoBody);
            }
            TryState::Handlers { after_do } => {
                if self.c.eat_lparen_kw("catch") {
                    let tag = TagIdx(self.index(Space::Tag)?);
                    encode_instr(&Instr::Catch { tag }, out);
                    set(frames, TryState::CatchBody);
                } else if self.c.eat_lparen_kw("catch_all") {
                    encode_instr(&Instr::CatchAll {}, out);
                    set(frames, TryState::CatchAllBody);
                } else if after_do && self.c.eat_lparen_kw("delegate") {
                    // The label counts from the block around the `try`.
                    self.labels.pop();
                    let label = self.label()?;
                    self.c.rparen()?;
                    encode_instr(&Instr::Delegate { label }, out);
                    set(frames, TryState::Delegated);
                } else if t.kind == Kind::RParen {
                    self.c.bump();
                    self.close_block(frames, out);
                } else {
                    return Err(unexpected(t));
                }
            }
            TryState::Done => {
                if t.kind != Kind::RParen {
                    return Err(unexpected(t));
                }
                self.c.bump();
                self.close_block(frames, out);
            }
            TryState::Delegated => {
                if t.kind != Kind::RParen {
                    return Err(unexpected(t));
                }
                // `delegate` ended the block and its label scope.
                self.c.bump();
                frames.pop();
            }
            TryState::DoBody | TryState::CatchBody | TryState::CatchAllBody => {
                unreachable!("a sequence context")
            }
        }
        Ok(())
    }

    /// Emits `end` for the innermost block frame and leaves its label scope.
    fn close_block(&mut self, frames: &mut Vec<Frame<'a>>, out: &mut Vec<u8>) {
        // The `end` of a folded block is its closing parenthesis (just
        // read); a plain `end` was marked as a keyword already.
        if let Some(t) = self.c.pos.checked_sub(1).and_then(|p| self.c.toks.get(p)) {
            if t.kind == Kind::RParen {
                self.mark(out.len(), pos(t));
            }
        }
        frames.pop();
        self.labels.pop();
        out.push(0x0B);
    }

    /// The row of the keyword `t`, if it is an enabled instruction.
    fn lookup(&self, t: &Token<'a>) -> Result<InstrKind> {
        match lookup_mnemonic(t.text) {
            Some(k) if self.m.features.has(k.info().feature) => Ok(k),
            // Keywords of `try_table`'s clauses, misplaced.
            Some(InstrKind::Catch | InstrKind::CatchAll)
                if self.m.features.has(Feature::Exceptions) =>
            {
                Err(unexpected(t))
            }
            Some(_) => Err(t.error("unknown operator")),
            None => Err(unexpected(t)),
        }
    }

    /// An optional label after `end` or `else`, which must repeat the
    /// block's label.
    fn end_label(&mut self, label: Option<Cow<'a, str>>) -> Result<()> {
        if let Some(id) = self.c.opt_id() {
            if Some(id.id_key()) != label {
                return Err(id.error("mismatching label"));
            }
        }
        Ok(())
    }

    /// A plain instruction in a sequence, including `block`, `loop`, `if`,
    /// `else` and `end`.
    fn plain_or_structured(
        &mut self,
        t: &Token<'a>,
        frames: &mut Vec<Frame<'a>>,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let kind = self.lookup(t)?;
        self.c.bump();
        match kind {
            InstrKind::Block
            | InstrKind::Loop
            | InstrKind::If
            | InstrKind::Try
            | InstrKind::TryTable => {
                let label = self.c.opt_id().map(|t| t.id_key());
                self.block_start(kind, out)?;
                self.number_label(&label);
                self.labels.push(label.clone());
                let kind = match kind {
                    InstrKind::If => PlainKind::If,
                    InstrKind::Try => PlainKind::Try,
                    _ => PlainKind::Block,
                };
                frames.push(Frame::Plain { kind, label });
            }
            InstrKind::Else => match frames.last_mut() {
                Some(Frame::Plain { kind, label }) if *kind == PlainKind::If => {
                    *kind = PlainKind::Block;
                    let label = label.clone();
                    self.end_label(label)?;
                    out.push(0x05);
                }
                _ => return Err(t.error("unexpected token")),
            },
            InstrKind::Catch | InstrKind::CatchAll => match frames.last_mut() {
                Some(Frame::Plain {
                    kind: plain @ (PlainKind::Try | PlainKind::Catch),
                    ..
                }) => {
                    if kind == InstrKind::Catch {
                        *plain = PlainKind::Catch;
                        let tag = TagIdx(self.index(Space::Tag)?);
                        encode_instr(&Instr::Catch { tag }, out);
                    } else {
                        *plain = PlainKind::CatchAll;
                        encode_instr(&Instr::CatchAll {}, out);
                    }
                }
                _ => return Err(t.error("unexpected token")),
            },
            InstrKind::Delegate => match frames.last() {
                Some(Frame::Plain {
                    kind: PlainKind::Try,
                    ..
                }) => {
                    // The label counts from the block around the `try`.
                    frames.pop();
                    self.labels.pop();
                    let label = self.label()?;
                    encode_instr(&Instr::Delegate { label }, out);
                }
                _ => return Err(t.error("unexpected token")),
            },
            InstrKind::End => match frames.last() {
                Some(Frame::Plain { label, .. }) => {
                    let label = label.clone();
                    self.end_label(label)?;
                    self.close_block(frames, out);
                }
                _ => return Err(t.error("unexpected token")),
            },
            _ => self.plain(kind, out)?,
        }
        Ok(())
    }

    /// After `(`: the start of a folded instruction.
    fn folded_start(&mut self, frames: &mut Vec<Frame<'a>>, out: &mut Vec<u8>) -> Result<()> {
        self.c.bump();
        let t = self.c.peek();
        if t.kind != Kind::Keyword {
            return Err(unexpected(&t));
        }
        let kind = self.lookup(&t)?;
        self.c.bump();
        match kind {
            InstrKind::Block | InstrKind::Loop | InstrKind::TryTable => {
                self.mark(out.len(), pos(&t));
                let label = self.c.opt_id().map(|t| t.id_key());
                self.block_start(kind, out)?;
                self.number_label(&label);
                self.labels.push(label);
                frames.push(Frame::FoldedBlock);
            }
            InstrKind::Try => {
                self.mark(out.len(), pos(&t));
                let label = self.c.opt_id().map(|t| t.id_key());
                self.block_start(kind, out)?;
                self.number_label(&label);
                self.labels.push(label);
                frames.push(Frame::FoldedTry(TryState::Do));
            }
            InstrKind::Catch | InstrKind::CatchAll | InstrKind::Delegate => {
                return Err(t.error("unexpected token"))
            }
            InstrKind::If => {
                let label = self.c.opt_id().map(|t| t.id_key());
                let block_type = self.block_type()?;
                let mut pending = Vec::new();
                encode_instr(&Instr::If { block_type }, &mut pending);
                frames.push(Frame::FoldedIf {
                    state: IfState::Cond,
                    pending,
                    label,
                    at: pos(&t),
                });
            }
            InstrKind::Else | InstrKind::End => return Err(t.error("unexpected token")),
            _ => {
                let mut pending = Vec::new();
                self.plain(kind, &mut pending)?;
                frames.push(Frame::Folded(pending, pos(&t)));
            }
        }
        Ok(())
    }

    /// The immediates of a plain (non-structured) instruction, and its
    /// encoding.
    fn plain(&mut self, kind: InstrKind, out: &mut Vec<u8>) -> Result<()> {
        match kind {
            InstrKind::BrTable => {
                let mut labels = Vec::new();
                while at_idx(&self.c) {
                    labels.push(self.label()?);
                }
                let Some((&default, rest)) = labels.split_last() else {
                    return Err(self.c.unexpected());
                };
                let targets = BrTable::from_slice(rest, default);
                encode_instr(&Instr::BrTable { targets }, out);
            }
            InstrKind::Select if self.c.at_lparen_kw("result") => {
                let at = self.c.peek();
                if !self.m.features.has(Feature::ReferenceTypes) {
                    return Err(unexpected(&at));
                }
                let mut tys = Vec::new();
                while self.c.eat_lparen_kw("result") {
                    while !self.c.at(Kind::RParen) {
                        tys.push(self.c.val_type()?);
                    }
                    self.c.rparen()?;
                }
                if let [ty] = tys[..] {
                    encode_instr(&Instr::TypedSelect { ty }, out);
                } else {
                    // Not one type: invalid, but well-formed; the validator
                    // reports the arity.
                    out.push(0x1C);
                    write_u32(out, tys.len() as u32);
                    for t in tys {
                        // A one-result block type is encoded as the bare
                        // value type.
                        BlockType::Value(t).encode(out);
                    }
                }
            }
            InstrKind::CallIndirect | InstrKind::ReturnCallIndirect => {
                let table = if at_idx(&self.c) {
                    let i = idx(&mut self.c)?;
                    self.m.resolve(i, Space::Table)?
                } else {
                    0
                };
                let tu = type_use(&mut self.c, false)?;
                let (ty, _) = self.m.resolve_type_use(&tu)?;
                let (ty, table) = (TypeIdx(ty), TableIdx(table));
                let instr = match kind {
                    InstrKind::ReturnCallIndirect => Instr::ReturnCallIndirect { ty, table },
                    _ => Instr::CallIndirect { ty, table },
                };
                encode_instr(&instr, out);
            }
            InstrKind::TableInit => {
                let first = idx(&mut self.c)?;
                let (table, elem) = if at_idx(&self.c) {
                    let second = idx(&mut self.c)?;
                    (
                        self.m.resolve(first, Space::Table)?,
                        self.m.resolve(second, Space::Elem)?,
                    )
                } else {
                    (0, self.m.resolve(first, Space::Elem)?)
                };
                let instr = Instr::TableInit {
                    elem: ElemIdx(elem),
                    table: TableIdx(table),
                };
                encode_instr(&instr, out);
            }
            InstrKind::MemoryInit => {
                self.note_data_count();
                let first = idx(&mut self.c)?;
                let (mem, data) = if at_idx(&self.c) {
                    let second = idx(&mut self.c)?;
                    (
                        self.m.resolve(first, Space::Memory)?,
                        self.m.resolve(second, Space::Data)?,
                    )
                } else {
                    (0, self.m.resolve(first, Space::Data)?)
                };
                let instr = Instr::MemoryInit {
                    data: DataIdx(data),
                    mem: MemIdx(mem),
                };
                encode_instr(&instr, out);
            }
            InstrKind::StructGet
            | InstrKind::StructGetS
            | InstrKind::StructGetU
            | InstrKind::StructSet => {
                let ty = self.index(Space::Type)?;
                let field = self.field(ty)?;
                let (ty, field) = (TypeIdx(ty), FieldIdx(field));
                let instr = match kind {
                    InstrKind::StructGetS => Instr::StructGetS { ty, field },
                    InstrKind::StructGetU => Instr::StructGetU { ty, field },
                    InstrKind::StructSet => Instr::StructSet { ty, field },
                    _ => Instr::StructGet { ty, field },
                };
                encode_instr(&instr, out);
            }
            // One mnemonic, a row per nullability of the target type.
            InstrKind::RefTest | InstrKind::RefCast | InstrKind::RefCastDescEq => {
                let r = self.c.ref_type()?;
                let ty = r.heap;
                let instr = match (kind, r.nullable) {
                    (InstrKind::RefTest, false) => Instr::RefTest { ty },
                    (InstrKind::RefTest, true) => Instr::RefTestNull { ty },
                    (InstrKind::RefCastDescEq, false) => Instr::RefCastDescEq { ty },
                    (InstrKind::RefCastDescEq, true) => Instr::RefCastDescEqNull { ty },
                    (_, false) => Instr::RefCast { ty },
                    (_, true) => Instr::RefCastNull { ty },
                };
                encode_instr(&instr, out);
            }
            // `br_on_cast l rt1 rt2`: the nullabilities become flags.
            InstrKind::BrOnCast
            | InstrKind::BrOnCastFail
            | InstrKind::BrOnCastDescEq
            | InstrKind::BrOnCastDescEqFail => {
                let label = self.label()?;
                let from = self.c.ref_type()?;
                let to = self.c.ref_type()?;
                let flags = CastFlags::new(from.nullable, to.nullable);
                let (from, to) = (from.heap, to.heap);
                let instr = match kind {
                    InstrKind::BrOnCastFail => Instr::BrOnCastFail {
                        flags,
                        label,
                        from,
                        to,
                    },
                    InstrKind::BrOnCastDescEq => Instr::BrOnCastDescEq {
                        flags,
                        label,
                        from,
                        to,
                    },
                    InstrKind::BrOnCastDescEqFail => Instr::BrOnCastDescEqFail {
                        flags,
                        label,
                        from,
                        to,
                    },
                    _ => Instr::BrOnCast {
                        flags,
                        label,
                        from,
                        to,
                    },
                };
                encode_instr(&instr, out);
            }
            _ => {
                if kind == InstrKind::DataDrop || kind == InstrKind::ArrayNewData {
                    self.note_data_count();
                }
                if kind == InstrKind::ArrayInitData {
                    self.note_data_count();
                }
                let instr = parse_plain(kind, self, &[])?;
                encode_instr(&instr, out);
            }
        }
        Ok(())
    }

    /// The block type (and for `try_table` the catch clauses) of a
    /// structured instruction, and its encoding. Catch clause labels are
    /// resolved before the block's own label is in scope.
    fn block_start(&mut self, kind: InstrKind, out: &mut Vec<u8>) -> Result<()> {
        let block_type = self.block_type()?;
        let instr = match kind {
            InstrKind::Loop => Instr::Loop { block_type },
            InstrKind::If => Instr::If { block_type },
            InstrKind::Try => Instr::Try { block_type },
            InstrKind::TryTable => {
                let mut clauses = Vec::new();
                loop {
                    let c = if self.c.eat_lparen_kw("catch") {
                        let tag = TagIdx(self.index(Space::Tag)?);
                        Catch::One {
                            tag,
                            label: self.label()?,
                        }
                    } else if self.c.eat_lparen_kw("catch_ref") {
                        let tag = TagIdx(self.index(Space::Tag)?);
                        Catch::OneRef {
                            tag,
                            label: self.label()?,
                        }
                    } else if self.c.eat_lparen_kw("catch_all") {
                        Catch::All {
                            label: self.label()?,
                        }
                    } else if self.c.eat_lparen_kw("catch_all_ref") {
                        Catch::AllRef {
                            label: self.label()?,
                        }
                    } else {
                        break;
                    };
                    self.c.rparen()?;
                    clauses.push(c);
                }
                let catches = Catches::Slice(&clauses);
                encode_instr(
                    &Instr::TryTable {
                        block_type,
                        catches,
                    },
                    out,
                );
                return Ok(());
            }
            _ => Instr::Block { block_type },
        };
        encode_instr(&instr, out);
        Ok(())
    }

    fn note_data_count(&mut self) {
        if self.kind == ExprKind::Func {
            self.m.needs_data_count = true;
        }
    }

    /// A block type (§6.5.2): a type use without parameter names, encoded
    /// inline when it has no parameters and at most one result.
    fn block_type(&mut self) -> Result<BlockType> {
        let tu = type_use(&mut self.c, false)?;
        if tu.index.is_none() && tu.params.is_empty() && tu.results.len() <= 1 {
            return Ok(match tu.results.first() {
                Some(&t) => BlockType::Value(t),
                None => BlockType::Empty,
            });
        }
        let (i, _) = self.m.resolve_type_use(&tu)?;
        Ok(BlockType::Func(TypeIdx(i)))
    }

    /// A label index: a number or the identifier of an enclosing block.
    fn label(&mut self) -> Result<LabelIdx> {
        let t = self.c.peek();
        match t.kind {
            Kind::Nat => {
                self.c.bump();
                nat32(&t).map(LabelIdx)
            }
            Kind::Id | Kind::QuotedId => {
                self.c.bump();
                self.labels
                    .iter()
                    .rev()
                    .position(|l| l.as_deref() == Some(&*t.id_key()))
                    .map(|d| LabelIdx(d as u32))
                    .ok_or_else(|| t.error(format!("unknown label {}", excerpt(t.text))))
            }
            _ => Err(unexpected(&t)),
        }
    }

    /// A module-level index in `space`.
    fn index(&mut self, space: Space) -> Result<u32> {
        let i = idx(&mut self.c)?;
        self.m.resolve(i, space)
    }

    /// A field of struct type `ty`: a number or the identifier the type
    /// gives the field.
    fn field(&mut self, ty: u32) -> Result<u32> {
        let t = self.c.peek();
        match t.kind {
            Kind::Nat => {
                self.c.bump();
                nat32(&t)
            }
            Kind::Id | Kind::QuotedId => {
                self.c.bump();
                self.m
                    .field_names
                    .get(&(ty, t.id_key()))
                    .copied()
                    .ok_or_else(|| t.error(format!("unknown field {}", excerpt(t.text))))
            }
            _ => Err(unexpected(&t)),
        }
    }

    /// An optional module-level index, 0 when absent.
    fn opt_index(&mut self, space: Space) -> Result<u32> {
        if at_idx(&self.c) {
            self.index(space)
        } else {
            Ok(0)
        }
    }

    /// A memory argument (§6.5.6): `memidx? offset=n? align=m?`, with the
    /// natural alignment `2^natural` as default. Before a lane index, a
    /// lone number is the lane: it is a memory index only when another
    /// number or `offset=`/`align=` follows.
    fn memarg(&mut self, natural: u32, lane: bool) -> Result<MemArg> {
        let next = self.c.peek_at(1);
        let index_follows = next.kind == Kind::Nat
            || (next.kind == Kind::Keyword
                && (next.text.starts_with("offset=") || next.text.starts_with("align=")));
        let lane_only = lane && self.c.peek().kind == Kind::Nat && !index_follows;
        let memory = if self.m.features.has(Feature::MultiMemory) && !lane_only {
            self.opt_index(Space::Memory)?
        } else {
            0
        };
        let mut offset = 0;
        let t = self.c.peek();
        if t.kind == Kind::Keyword {
            if let Some(n) = t.text.strip_prefix("offset=") {
                offset = self.memarg_value(&t, n)?;
                self.c.bump();
            }
        }
        let mut align = natural;
        let t = self.c.peek();
        if t.kind == Kind::Keyword {
            if let Some(n) = t.text.strip_prefix("align=") {
                let v = self.memarg_value(&t, n)?;
                if !v.is_power_of_two() {
                    return Err(t.error("alignment must be a power of two"));
                }
                align = v.trailing_zeros();
                self.c.bump();
            }
        }
        Ok(MemArg {
            align,
            offset,
            memory: MemIdx(memory),
        })
    }

    fn memarg_value(&self, t: &Token<'a>, n: &str) -> Result<u64> {
        if number_kind(n) != Some(Kind::Nat) {
            return Err(unexpected(t));
        }
        let v = num::parse_nat(n).ok_or_else(|| t.error("i32 constant out of range"))?;
        if v > u64::from(u32::MAX) && !self.m.features.has(Feature::Memory64) {
            return Err(t.error("i32 constant out of range"));
        }
        Ok(v)
    }

    fn int(&mut self, bits: u32) -> Result<u64> {
        let t = self.c.peek();
        let v = int_value(&t, bits)?;
        self.c.bump();
        Ok(v)
    }

    fn float(&mut self, fmt: num::FloatFormat) -> Result<u64> {
        let t = self.c.peek();
        let v = float_value(&t, fmt)?;
        self.c.bump();
        Ok(v)
    }
}

/// Appends the unsigned LEB128 encoding of `v`.
pub(crate) fn write_u32(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The value of an integer literal token as an `N`-bit pattern.
pub(crate) fn int_value(t: &Token<'_>, bits: u32) -> Result<u64> {
    match t.kind {
        Kind::Nat | Kind::Int => {
            num::parse_int(t.text, bits).ok_or_else(|| t.error("constant out of range"))
        }
        Kind::Float => Err(t.error("constant out of range")),
        _ => Err(unexpected(t)),
    }
}

/// The bit pattern of a float literal token.
pub(crate) fn float_value(t: &Token<'_>, fmt: num::FloatFormat) -> Result<u64> {
    match t.kind {
        Kind::Nat | Kind::Int | Kind::Float => {
            num::parse_float(t.text, fmt).ok_or_else(|| t.error("constant out of range"))
        }
        _ => Err(unexpected(t)),
    }
}

/// A `v128` lane shape (§6.5.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl Shape {
    /// The shape named by a keyword token.
    pub(crate) fn of(t: &Token<'_>) -> Option<Shape> {
        if t.kind != Kind::Keyword {
            return None;
        }
        Some(match t.text {
            "i8x16" => Shape::I8x16,
            "i16x8" => Shape::I16x8,
            "i32x4" => Shape::I32x4,
            "i64x2" => Shape::I64x2,
            "f32x4" => Shape::F32x4,
            "f64x2" => Shape::F64x2,
            _ => return None,
        })
    }

    /// Number of lanes.
    pub(crate) fn lanes(self) -> usize {
        match self {
            Shape::I8x16 => 16,
            Shape::I16x8 => 8,
            Shape::I32x4 | Shape::F32x4 => 4,
            Shape::I64x2 | Shape::F64x2 => 2,
        }
    }

    /// Bytes per lane.
    pub(crate) fn lane_bytes(self) -> usize {
        16 / self.lanes()
    }

    /// The value of one lane literal (its low bytes are the lane).
    pub(crate) fn lane_value(self, t: &Token<'_>) -> Result<u64> {
        match self {
            Shape::I8x16 => int_value(t, 8),
            Shape::I16x8 => int_value(t, 16),
            Shape::I32x4 => int_value(t, 32),
            Shape::I64x2 => int_value(t, 64),
            Shape::F32x4 => float_value(t, num::F32),
            Shape::F64x2 => float_value(t, num::F64),
        }
    }
}

/// Whether a token is a number of any kind.
pub(crate) fn is_number(t: &Token<'_>) -> bool {
    matches!(t.kind, Kind::Nat | Kind::Int | Kind::Float)
}

/// Whether a token is an error wherever it stands (a lexical error or a
/// reserved token), which the reference lexer reports before the parser
/// sees it.
pub(crate) fn is_bad_token(t: &Token<'_>) -> bool {
    match t.kind {
        Kind::Reserved | Kind::Error(_) => true,
        Kind::Keyword => !crate::parser::is_known_keyword(t.text),
        _ => false,
    }
}

/// Reads the lane literals of `v128.const` after the shape: all following
/// number tokens, which must be exactly as many as the shape has lanes.
pub(crate) fn v128_lanes<'a>(
    c: &mut Cursor<'_, 'a>,
    shape_tok: &Token<'a>,
) -> Result<Vec<Token<'a>>> {
    let shape = Shape::of(shape_tok).ok_or_else(|| unexpected(shape_tok))?;
    let mut lanes = Vec::new();
    while lanes.len() <= shape.lanes() {
        let t = c.peek();
        if is_number(&t) {
            lanes.push(c.bump());
        } else if is_bad_token(&t) {
            return Err(unexpected(&t));
        } else {
            break;
        }
    }
    if lanes.len() != shape.lanes() {
        return Err(c.peek().error("wrong number of lane literals"));
    }
    Ok(lanes)
}

/// Parses `shape lane*` of a `v128.const` into its 16 bytes.
pub(crate) fn v128_const(c: &mut Cursor<'_, '_>) -> Result<[u8; 16]> {
    let shape_tok = c.peek();
    let shape = Shape::of(&shape_tok).ok_or_else(|| unexpected(&shape_tok))?;
    c.bump();
    let lanes = v128_lanes(c, &shape_tok)?;
    let mut bytes = [0u8; 16];
    let w = shape.lane_bytes();
    for (i, t) in lanes.iter().enumerate() {
        let v = shape.lane_value(t)?.to_le_bytes();
        bytes[i * w..(i + 1) * w].copy_from_slice(&v[..w]);
    }
    Ok(bytes)
}

/// Context for parsing one immediate.
#[derive(Clone, Copy)]
struct ImmCx<'a> {
    /// The natural alignment exponent of a memory access row.
    align: u32,
    /// Whether a lane index follows the `memarg`.
    lane: bool,
    /// The labels of `br_table`, parsed beforehand.
    labels: &'a [LabelIdx],
}

/// An instruction immediate's text syntax.
trait TextImmediate<'a>: Sized {
    fn parse(p: &mut BodyParser<'_, '_, '_>, cx: ImmCx<'a>) -> Result<Self>;
}

macro_rules! index_immediates {
    ($($t:ident => $space:ident),*) => {$(
        impl<'a> TextImmediate<'a> for $t {
            fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
                p.index(Space::$space).map($t)
            }
        }
    )*};
}
index_immediates!(FuncIdx => Func, TypeIdx => Type, GlobalIdx => Global, ElemIdx => Elem, DataIdx => Data, TagIdx => Tag);

impl<'a> TextImmediate<'a> for TableIdx {
    /// Table indices of instructions are optional and default to 0.
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.opt_index(Space::Table).map(TableIdx)
    }
}

impl<'a> TextImmediate<'a> for MemIdx {
    /// Without multi-memory there is no memory index in the text.
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        if p.m.features.has(Feature::MultiMemory) {
            p.opt_index(Space::Memory).map(MemIdx)
        } else {
            Ok(MemIdx(0))
        }
    }
}

impl<'a> TextImmediate<'a> for LocalIdx {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        let t = p.c.peek();
        match t.kind {
            Kind::Nat => {
                p.c.bump();
                nat32(&t).map(LocalIdx)
            }
            Kind::Id | Kind::QuotedId => {
                p.c.bump();
                p.locals
                    .get(&*t.id_key())
                    .map(|&i| LocalIdx(i))
                    .ok_or_else(|| t.error(format!("unknown local {}", excerpt(t.text))))
            }
            _ => Err(unexpected(&t)),
        }
    }
}

impl<'a> TextImmediate<'a> for FieldIdx {
    /// A field by number; rows whose fields may be named are parsed by
    /// hand (see `plain`).
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        let t = p.c.peek();
        if t.kind != Kind::Nat {
            return Err(unexpected(&t));
        }
        p.c.bump();
        nat32(&t).map(FieldIdx)
    }
}

impl<'a> TextImmediate<'a> for u32 {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        let t = p.c.peek();
        if t.kind != Kind::Nat {
            return Err(unexpected(&t));
        }
        p.c.bump();
        nat32(&t)
    }
}

impl<'a> TextImmediate<'a> for CastFlags {
    /// The flags come from the reference types that follow the label (see
    /// `plain`, which parses `br_on_cast` by hand); never reached.
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        Err(p.c.unexpected())
    }
}

impl<'a> TextImmediate<'a> for LabelIdx {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.label()
    }
}

impl<'a> TextImmediate<'a> for BlockType {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.block_type()
    }
}

impl<'a> TextImmediate<'a> for Catches<'a> {
    /// The clauses are parsed with the block type (see `block_start`);
    /// never reached.
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        Err(p.c.unexpected())
    }
}

impl<'a> TextImmediate<'a> for BrTable<'a> {
    /// The labels are parsed before the row is built (see `plain`).
    fn parse(p: &mut BodyParser<'_, '_, '_>, cx: ImmCx<'a>) -> Result<Self> {
        match cx.labels.split_last() {
            Some((&default, rest)) => Ok(BrTable::from_slice(rest, default)),
            None => Err(p.c.unexpected()),
        }
    }
}

impl<'a> TextImmediate<'a> for ValType {
    /// The `(result t)` of typed `select`.
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        if !p.c.eat_lparen_kw("result") {
            return Err(p.c.unexpected());
        }
        let t = p.c.val_type()?;
        p.c.rparen()?;
        Ok(t)
    }
}

impl<'a> TextImmediate<'a> for HeapType {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.c.heap_type()
    }
}

impl<'a> TextImmediate<'a> for MemArg {
    fn parse(p: &mut BodyParser<'_, '_, '_>, cx: ImmCx<'a>) -> Result<Self> {
        p.memarg(cx.align, cx.lane)
    }
}

impl<'a> TextImmediate<'a> for i32 {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.int(32).map(|v| v as u32 as i32)
    }
}

impl<'a> TextImmediate<'a> for i64 {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.int(64).map(|v| v as i64)
    }
}

impl<'a> TextImmediate<'a> for F32 {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.float(num::F32).map(|v| F32(v as u32))
    }
}

impl<'a> TextImmediate<'a> for F64 {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        p.float(num::F64).map(F64)
    }
}

impl<'a> TextImmediate<'a> for V128 {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        v128_const(&mut p.c).map(V128)
    }
}

impl<'a> TextImmediate<'a> for ShuffleLanes {
    /// Exactly 16 lane indices below 256 ("invalid lane length",
    /// "malformed lane index").
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        let mut toks = Vec::new();
        while toks.len() <= 16 {
            let t = p.c.peek();
            if is_number(&t) {
                toks.push(p.c.bump());
            } else if is_bad_token(&t) {
                return Err(unexpected(&t));
            } else {
                break;
            }
        }
        if toks.len() != 16 {
            return Err(p.c.peek().error("invalid lane length"));
        }
        let mut lanes = [0u8; 16];
        for (lane, t) in lanes.iter_mut().zip(&toks) {
            *lane = lane_index(t).ok_or_else(|| t.error("malformed lane index"))?;
        }
        Ok(ShuffleLanes(lanes))
    }
}

/// The value of a lane index literal: an unsigned number below 256.
fn lane_index(t: &Token<'_>) -> Option<u8> {
    if t.kind != Kind::Nat {
        return None;
    }
    num::parse_nat(t.text).and_then(|v| u8::try_from(v).ok())
}

impl<'a> TextImmediate<'a> for ZeroByte {
    /// The reserved byte of `atomic.fence` has no text form.
    fn parse(_: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        Ok(ZeroByte)
    }
}

impl<'a> TextImmediate<'a> for LaneIdx {
    fn parse(p: &mut BodyParser<'_, '_, '_>, _: ImmCx<'a>) -> Result<Self> {
        let t = p.c.peek();
        if t.kind != Kind::Nat {
            return Err(unexpected(&t));
        }
        let lane = lane_index(&t).ok_or_else(|| t.error("malformed lane index"))?;
        p.c.bump();
        Ok(LaneIdx(lane))
    }
}

/// The natural alignment exponent of a row, from its signature class.
/// Whether a row's `memarg` is followed by a lane index.
macro_rules! has_lane {
    ((memlane $a:literal $n:literal : $($rest:tt)*)) => {
        true
    };
    ($other:tt) => {
        false
    };
}

macro_rules! natural_align {
    ((mem $a:literal : $($rest:tt)*)) => {
        $a
    };
    ((atomic $a:literal : $($rest:tt)*)) => {
        $a
    };
    ((memlane $a:literal $n:literal : $($rest:tt)*)) => {
        $a
    };
    ($other:tt) => {
        0
    };
}

macro_rules! define_text {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// Every row's kind, in table order (parallel to `INSTRS`).
        static KINDS: &[InstrKind] = &[$(InstrKind::$variant,)*];

        /// Parses the immediates of a row in their text order.
        fn parse_plain<'a>(
            kind: InstrKind,
            p: &mut BodyParser<'_, '_, '_>,
            labels: &'a [LabelIdx],
        ) -> Result<Instr<'a>> {
            Ok(match kind {
                $( InstrKind::$variant => {
                    #[allow(unused_variables)] // rows without immediates do not read `cx`
                    let cx = ImmCx { align: natural_align!($sig), lane: has_lane!($sig), labels };
                    Instr::$variant { $($field: <$ty as TextImmediate<'a>>::parse(p, cx)?,)* }
                } )*
            })
        }
    };
}

weft_syntax::for_each_instr!(define_text);
