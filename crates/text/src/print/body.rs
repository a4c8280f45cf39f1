//! Function bodies and constant expressions, in the flat form (one
//! instruction per line, indented by nesting) or the folded form
//! (`(i32.add (local.get 0) (i32.const 1))`, `(block ...)`, `(if ... (then
//! ...) (else ...))`).
//!
//! Folding never changes the instruction sequence: a folded expression
//! `(op e1 ... en)` stands for `e1 ... en op`, so putting any run of the
//! preceding instructions under `op` keeps the bytes. Operands are folded
//! only where the arities show they are exactly `op`'s operands, which keeps
//! the result readable. Nesting in the output is bounded (so rendering never
//! recurses deeply); a body that is malformed or nested too deeply for the
//! folded form is printed flat, with a comment at the point of the error.

use super::instr::{arity, write_block_instr, write_instr, ArityCx, Idents};
use std::fmt::Write;
use weft_binary::Reader;
use weft_syntax::{
    BlockType, CompositeType, Expr, Features, FuncIdx, FuncType, Instr, LabelIdx, TypeIdx, Types,
};

/// Indentation stops growing beyond this depth, so that deeply nested input
/// cannot blow up the output quadratically.
const MAX_INDENT_DEPTH: usize = 40;
/// An operand is folded into its consumer only while the folded expression
/// stays at most this deep.
const MAX_FOLD_HEIGHT: u32 = 24;
/// Bodies whose folded tree would be deeper than this are printed flat.
const MAX_TREE_HEIGHT: u32 = 200;
/// A folded expression is kept on one line up to this many characters.
const LINE_WIDTH: usize = 100;

/// What printing a body needs from the module around it.
pub(crate) struct BodyCx<'m> {
    pub types: &'m Types,
    /// The type index of each function of the index space.
    pub func_types: &'m [TypeIdx],
    pub idents: Idents<'m>,
    pub features: Features,
    /// Number of results of the function, for `return` (folded form).
    pub results: Option<u32>,
}

impl BodyCx<'_> {
    fn type_at(&self, t: TypeIdx) -> Option<&FuncType> {
        self.types.func(t)
    }

    fn block_arity(&self, bt: BlockType) -> (Option<u32>, Option<u32>) {
        match bt {
            BlockType::Empty => (Some(0), Some(0)),
            BlockType::Value(_) => (Some(0), Some(1)),
            BlockType::Func(t) => match self.type_at(t) {
                Some(ft) => (
                    u32::try_from(ft.params.len()).ok(),
                    u32::try_from(ft.results.len()).ok(),
                ),
                None => (None, None),
            },
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth.min(MAX_INDENT_DEPTH) {
        out.push_str("  ");
    }
}

/// Writes a function body (whose bytes end with the final `end`, which is
/// not printed), one line per instruction or folded expression, starting at
/// indentation `base` (in steps of two spaces).
pub(crate) fn write_body(
    out: &mut String,
    body: &Expr<'_>,
    cx: &BodyCx<'_>,
    base: usize,
    folded: bool,
) {
    if folded {
        if let Some(nodes) = build_folded(body, cx) {
            for n in &nodes {
                render(out, n, base);
            }
            return;
        }
    }
    write_flat(out, body, cx, base);
}

fn write_flat(out: &mut String, body: &Expr<'_>, cx: &BodyCx<'_>, base: usize) {
    let mut r = Reader::new_at(&body.bytes, body.offset, cx.features);
    let mut depth = 0usize;
    // Structured instructions so far: the next one's label index.
    let mut blocks = 0u32;
    let line = |out: &mut String, depth: usize, f: &dyn Fn(&mut String)| {
        indent(out, base.saturating_add(depth));
        f(out);
        out.push('\n');
    };
    loop {
        let instr = match r.read_instr() {
            Ok(i) => i,
            Err(e) => {
                line(out, depth, &|o| {
                    let _ = write!(o, ";; error: {e}");
                });
                return;
            }
        };
        match instr {
            Instr::End {} if depth == 0 => {
                if !r.is_empty() {
                    let at = r.offset();
                    line(out, depth, &|o| {
                        let _ = write!(
                            o,
                            ";; error: operators remaining after end of function (at offset 0x{at:x})"
                        );
                    });
                }
                return;
            }
            Instr::End {} => {
                depth -= 1;
                line(out, depth, &|o| o.push_str("end"));
            }
            Instr::Else {} | Instr::Catch { .. } | Instr::CatchAll {} => {
                line(out, depth.saturating_sub(1), &|o| {
                    write_instr(&instr, cx.idents, o)
                });
            }
            Instr::Delegate { .. } => {
                depth = depth.saturating_sub(1);
                line(out, depth, &|o| write_instr(&instr, cx.idents, o));
            }
            Instr::Block { .. }
            | Instr::Loop { .. }
            | Instr::If { .. }
            | Instr::TryTable { .. }
            | Instr::Try { .. } => {
                line(out, depth, &|o| {
                    write_block_instr(&instr, cx.idents, blocks, o)
                });
                blocks = blocks.saturating_add(1);
                depth += 1;
            }
            _ => line(out, depth, &|o| write_instr(&instr, cx.idents, o)),
        }
    }
}

/// Writes a constant expression on one line: a single instruction folded
/// (`(i32.const 0)`), several flat and space-separated, after `prefix` and
/// inside `(wrap ...)` when there are several and `wrap` is given (such as
/// `offset` or `item`).
pub(crate) fn write_const_expr(
    out: &mut String,
    expr: &Expr<'_>,
    cx: &BodyCx<'_>,
    wrap: Option<&str>,
) {
    let mut r = Reader::new_at(&expr.bytes, expr.offset, cx.features);
    let mut items: Vec<String> = Vec::new();
    let mut error = None;
    let mut depth = 0usize;
    loop {
        match r.read_instr() {
            Ok(Instr::End {}) if depth == 0 => {
                if !r.is_empty() {
                    error = Some(format!(
                        "operators remaining after end of expression (at offset 0x{:x})",
                        r.offset()
                    ));
                }
                break;
            }
            Ok(i) => {
                match i {
                    Instr::End {} | Instr::Delegate { .. } => depth = depth.saturating_sub(1),
                    Instr::Block { .. }
                    | Instr::Loop { .. }
                    | Instr::If { .. }
                    | Instr::TryTable { .. }
                    | Instr::Try { .. } => depth += 1,
                    _ => {}
                }
                let mut s = String::new();
                write_instr(&i, cx.idents, &mut s);
                items.push(s);
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    match (items.len(), wrap) {
        (1, _) if error.is_none() && depth == 0 => {
            let _ = write!(out, "({})", items[0]);
        }
        (_, Some(w)) => {
            let _ = write!(out, "({w}");
            for i in &items {
                out.push(' ');
                out.push_str(i);
            }
            out.push(')');
        }
        (_, None) => {
            let mut first = true;
            for i in &items {
                if !first {
                    out.push(' ');
                }
                first = false;
                out.push_str(i);
            }
        }
    }
    if let Some(e) = error {
        let _ = write!(out, " (; error: {} ;)", e.replace(";)", "; )"));
    }
}

/// A node of the folded form.
struct Node {
    kind: Kind,
    /// Number of values the node leaves on the stack, if known.
    vals: Option<u32>,
    /// Depth of the tree under this node (1 for a leaf).
    height: u32,
}

enum Kind {
    Plain {
        text: String,
        kids: Vec<Node>,
    },
    Block {
        head: String,
        body: Vec<Node>,
    },
    If {
        head: String,
        cond: Vec<Node>,
        then: Vec<Node>,
        els: Option<Vec<Node>>,
    },
}

#[derive(PartialEq)]
enum FrameKind {
    Func,
    Block,
    Loop,
    If,
}

struct Frame {
    kind: FrameKind,
    head: String,
    label_arity: Option<u32>,
    results: Option<u32>,
    cond: Vec<Node>,
    /// The `then` arm, once `else` has been seen.
    then: Option<Vec<Node>>,
    nodes: Vec<Node>,
}

fn height_of(nodes: &[Node]) -> u32 {
    nodes.iter().map(|n| n.height).max().unwrap_or(0)
}

struct FoldCx<'f, 'm> {
    cx: &'f BodyCx<'m>,
    frames: &'f [Frame],
}

impl ArityCx for FoldCx<'_, '_> {
    fn label_arity(&self, l: LabelIdx) -> Option<u32> {
        let at = self.frames.len().checked_sub(1)?.checked_sub(l.index())?;
        self.frames.get(at)?.label_arity
    }
    fn func_type(&self, f: FuncIdx) -> Option<&FuncType> {
        let t = self.cx.func_types.get(f.index())?;
        self.cx.type_at(*t)
    }
    fn type_at(&self, t: TypeIdx) -> Option<&FuncType> {
        self.cx.type_at(t)
    }
    fn return_arity(&self) -> Option<u32> {
        self.cx.results
    }
    fn field_count(&self, t: TypeIdx) -> Option<u32> {
        match &self.cx.types.get(t)?.composite {
            CompositeType::Struct(s) => u32::try_from(s.fields.len()).ok(),
            _ => None,
        }
    }
}

/// Builds the folded tree of a body, or `None` if the body is malformed or
/// too deep for the folded form.
fn build_folded(body: &Expr<'_>, cx: &BodyCx<'_>) -> Option<Vec<Node>> {
    let mut r = Reader::new_at(&body.bytes, body.offset, cx.features);
    let mut frames = vec![Frame {
        kind: FrameKind::Func,
        head: String::new(),
        label_arity: cx.results,
        results: cx.results,
        cond: Vec::new(),
        then: None,
        nodes: Vec::new(),
    }];
    // Structured instructions so far: the next one's label index.
    let mut blocks = 0u32;
    loop {
        let instr = r.read_instr().ok()?;
        match instr {
            // Legacy exception handling is printed flat.
            Instr::Try { .. }
            | Instr::Catch { .. }
            | Instr::CatchAll {}
            | Instr::Delegate { .. } => return None,
            Instr::Block { block_type }
            | Instr::Loop { block_type }
            | Instr::If { block_type }
            | Instr::TryTable { block_type, .. } => {
                if frames.len() as u32 >= MAX_TREE_HEIGHT {
                    return None;
                }
                let (params, results) = cx.block_arity(block_type);
                let mut head = String::new();
                write_block_instr(&instr, cx.idents, blocks, &mut head);
                blocks = blocks.saturating_add(1);
                let kind = match instr {
                    Instr::Block { .. } | Instr::TryTable { .. } => FrameKind::Block,
                    Instr::Loop { .. } => FrameKind::Loop,
                    _ => FrameKind::If,
                };
                let mut cond = Vec::new();
                if kind == FrameKind::If {
                    let nodes = &mut frames.last_mut()?.nodes;
                    if nodes.last().is_some_and(|n| n.vals == Some(1)) {
                        cond.extend(nodes.pop());
                    }
                }
                let label_arity = if kind == FrameKind::Loop {
                    params
                } else {
                    results
                };
                frames.push(Frame {
                    kind,
                    head,
                    label_arity,
                    results,
                    cond,
                    then: None,
                    nodes: Vec::new(),
                });
            }
            Instr::Else {} => {
                let f = frames.last_mut()?;
                if f.kind != FrameKind::If || f.then.is_some() {
                    return None;
                }
                f.then = Some(std::mem::take(&mut f.nodes));
            }
            Instr::End {} => {
                let f = frames.pop()?;
                let Some(parent) = frames.last_mut() else {
                    // The end of the function.
                    return r.is_empty().then_some(f.nodes);
                };
                let (kind, height) = match f.kind {
                    FrameKind::If => {
                        let (then, els) = match f.then {
                            Some(then) => (then, Some(f.nodes)),
                            None => (f.nodes, None),
                        };
                        let h = height_of(&f.cond)
                            .max(height_of(&then))
                            .max(els.as_deref().map_or(0, height_of));
                        let kind = Kind::If {
                            head: f.head,
                            cond: f.cond,
                            then,
                            els,
                        };
                        (kind, h)
                    }
                    _ => {
                        let h = height_of(&f.nodes);
                        (
                            Kind::Block {
                                head: f.head,
                                body: f.nodes,
                            },
                            h,
                        )
                    }
                };
                // A `then`/`else` level adds one more line of nesting.
                let height = height.saturating_add(2);
                if height > MAX_TREE_HEIGHT {
                    return None;
                }
                parent.nodes.push(Node {
                    kind,
                    vals: f.results,
                    height,
                });
            }
            _ => {
                let ar = arity(
                    &instr,
                    &FoldCx {
                        cx,
                        frames: &frames,
                    },
                );
                let mut text = String::new();
                write_instr(&instr, cx.idents, &mut text);
                let nodes = &mut frames.last_mut()?.nodes;
                let mut kids = Vec::new();
                if let Some((params, _)) = ar {
                    if let Some(k) = operand_count(nodes, params) {
                        let start = nodes.len() - k;
                        if height_of(&nodes[start..]) < MAX_FOLD_HEIGHT {
                            kids = nodes.split_off(start);
                        }
                    }
                }
                nodes.push(Node {
                    height: height_of(&kids) + 1,
                    kind: Kind::Plain { text, kids },
                    vals: ar.map(|(_, r)| r),
                });
            }
        }
    }
}

/// How many trailing nodes give exactly `params` values, each giving at
/// least one; `None` if there are no such nodes.
fn operand_count(nodes: &[Node], params: u32) -> Option<usize> {
    if params == 0 {
        return None;
    }
    let mut sum = 0u32;
    for (k, n) in nodes.iter().rev().enumerate() {
        match n.vals {
            Some(v) if v >= 1 && sum.checked_add(v)? <= params => sum += v,
            _ => return None,
        }
        if sum == params {
            return Some(k + 1);
        }
    }
    None
}

/// The one-line form of a plain node, if it fits in `budget` characters.
fn inline(node: &Node, budget: usize) -> Option<String> {
    let Kind::Plain { text, kids } = &node.kind else {
        return None;
    };
    let mut s = String::new();
    s.push('(');
    s.push_str(text);
    for k in kids {
        s.push(' ');
        let rest = budget.checked_sub(s.len())?;
        s.push_str(&inline(k, rest)?);
    }
    s.push(')');
    (s.len() <= budget).then_some(s)
}

/// Closes the node whose lines end the output with `)` on its last line.
fn close(out: &mut String) {
    if out.ends_with('\n') {
        out.pop();
    }
    out.push_str(")\n");
}

fn render(out: &mut String, node: &Node, depth: usize) {
    let width = LINE_WIDTH
        .saturating_sub(2 * depth.min(MAX_INDENT_DEPTH))
        .max(40);
    if let Some(line) = inline(node, width) {
        indent(out, depth);
        out.push_str(&line);
        out.push('\n');
        return;
    }
    indent(out, depth);
    out.push('(');
    match &node.kind {
        Kind::Plain { text, kids } => {
            out.push_str(text);
            out.push('\n');
            for k in kids {
                render(out, k, depth + 1);
            }
        }
        Kind::Block { head, body } => {
            out.push_str(head);
            out.push('\n');
            for k in body {
                render(out, k, depth + 1);
            }
        }
        Kind::If {
            head,
            cond,
            then,
            els,
        } => {
            out.push_str(head);
            out.push('\n');
            for k in cond {
                render(out, k, depth + 1);
            }
            indent(out, depth + 1);
            out.push_str("(then\n");
            for k in then {
                render(out, k, depth + 2);
            }
            close(out);
            if let Some(els) = els {
                indent(out, depth + 1);
                out.push_str("(else\n");
                for k in els {
                    render(out, k, depth + 2);
                }
                close(out);
            }
        }
    }
    close(out);
}
