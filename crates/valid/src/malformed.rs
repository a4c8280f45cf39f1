//! The malformed-encoding scan.
//!
//! The spec decodes a whole module before validating it, so a malformed
//! body or constant expression anywhere in the module wins over an invalid
//! one found earlier by the validator. Function bodies and constant
//! expressions are kept encoded until validation, so after the validator
//! fails this scan re-reads all of them, in section order, with instruction
//! decoding only (tracking block nesting), and reports the first malformed
//! encoding, if any. "data count section required" comes last, as the
//! reference decoder checks it after the whole module.

use crate::error::ValidationError;
use crate::module::{body_place, missing_end, BodyPlace};
use weft_binary::Reader;
use weft_syntax::{DataMode, ElemItems, ElemMode, Expr, Feature, Features, Instr, MemArg, Module};

/// What kind of expression is scanned.
#[derive(Clone, Copy)]
enum ExprKind {
    Const,
    Body(BodyPlace),
}

/// The first malformed encoding among the bodies and constant expressions
/// of `module`, if any.
pub(crate) fn scan(module: &Module<'_>, features: Features) -> Option<ValidationError> {
    scan_all(module, features).err()
}

fn scan_all(module: &Module<'_>, features: Features) -> Result<(), ValidationError> {
    let mut frames = Vec::new();
    let mut uses_data = false;
    let mut expr =
        |e: &Expr<'_>, kind: ExprKind| scan_expr(e, kind, features, &mut frames, &mut uses_data);
    for g in &module.globals {
        expr(&g.init, ExprKind::Const)?;
    }
    for e in &module.elems {
        if let ElemMode::Active { offset, .. } = &e.mode {
            expr(offset, ExprKind::Const)?;
        }
        if let ElemItems::Exprs(exprs) = &e.items {
            for x in exprs {
                expr(x, ExprKind::Const)?;
            }
        }
    }
    for (i, code) in module.code.iter().enumerate() {
        let total: u64 = code.locals.iter().map(|l| u64::from(l.count)).sum();
        if total > u64::from(u32::MAX) {
            return Err(ValidationError::malformed_at(
                "too many locals",
                code.body.offset,
            ));
        }
        expr(&code.body, ExprKind::Body(body_place(module, i)))?;
    }
    for d in &module.datas {
        if let DataMode::Active { offset, .. } = &d.mode {
            expr(offset, ExprKind::Const)?;
        }
    }
    if uses_data && module.data_count.is_none() {
        return Err(ValidationError {
            message: "data count section required".into(),
            offset: None,
            malformed: true,
            field: None,
        });
    }
    Ok(())
}

/// The memarg of an instruction whose row has a `mem`, `atomic` or
/// `memlane` signature class.
macro_rules! memarg_row {
    ((mem $a:literal : $($t:tt)*), $m:ident) => {
        Some(*$m)
    };
    ((atomic $a:literal : $($t:tt)*), $m:ident) => {
        Some(*$m)
    };
    ((memlane $a:literal $n:literal : $($t:tt)*), $m:ident, $l:ident) => {{
        let _ = $l;
        Some(*$m)
    }};
    ($sig:tt, $($f:ident),*) => {{
        let _ = ($($f,)*);
        None
    }};
}

macro_rules! define_memarg_of {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// The `memarg` immediate of `instr`, if it has one.
        fn memarg_of(instr: &Instr<'_>) -> Option<MemArg> {
            match instr {
                $( Instr::$variant { $($field),* } => memarg_row!($sig, $($field),*), )*
            }
        }
    };
}

weft_syntax::for_each_instr!(define_memarg_of);

/// Scans one expression.
fn scan_expr(
    expr: &Expr<'_>,
    kind: ExprKind,
    features: Features,
    frames: &mut Vec<bool>,
    uses_data: &mut bool,
) -> Result<(), ValidationError> {
    let bytes: &[u8] = &expr.bytes;
    let end = expr.offset + bytes.len();
    // `frames` holds, per open block, whether it is an `if` still before
    // its `else`; the function (or expression) itself is the first frame.
    frames.clear();
    frames.push(false);
    let mut reader = Reader::new_at(bytes, expr.offset, features);
    while !frames.is_empty() {
        let at = reader.offset();
        if at == end {
            return Err(match kind {
                ExprKind::Body(place) => missing_end(place, at),
                ExprKind::Const => {
                    ValidationError::malformed_at("unexpected end of section or function", at)
                }
            });
        }
        let instr = match reader.read_instr() {
            Ok(i) => i,
            Err(e) if e.message.starts_with("invalid result arity") => {
                // A typed `select` with other than one type is well-formed
                // (invalid, not malformed): skip its types and go on.
                let pos = at - expr.offset;
                let mut r = Reader::new_at(&bytes[pos + 1..], at + 1, features);
                let n = r.read_u32()?;
                for _ in 0..n {
                    r.read_val_type()?;
                }
                let resume = r.offset() - expr.offset;
                reader = Reader::new_at(&bytes[resume..], r.offset(), features);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        match instr {
            Instr::Block { .. }
            | Instr::Loop { .. }
            | Instr::TryTable { .. }
            | Instr::Try { .. } => frames.push(false),
            Instr::If { .. } => frames.push(true),
            Instr::Delegate { .. } => {
                frames.pop();
            }
            Instr::Else {} => match frames.last_mut() {
                Some(open_if) if *open_if => *open_if = false,
                _ => {
                    return Err(ValidationError::malformed_at(
                        "END opcode expected: else without if",
                        at,
                    ))
                }
            },
            Instr::End {} => {
                frames.pop();
            }
            Instr::CallIndirect { table, .. }
                if table.0 != 0 && !features.has(Feature::ReferenceTypes) =>
            {
                return Err(ValidationError::malformed_at("zero byte expected", at));
            }
            Instr::MemoryInit { .. } | Instr::DataDrop { .. } => *uses_data = true,
            ref other => {
                if let Some(m) = memarg_of(other) {
                    // The decoder's limit (see `MemArg::decode`).
                    let encodable = if features.has(Feature::MultiMemory) {
                        64
                    } else {
                        32
                    };
                    if m.align >= encodable {
                        return Err(ValidationError::malformed_at("malformed memop flags", at));
                    }
                }
            }
        }
    }
    if !reader.is_empty() {
        return Err(ValidationError::malformed_at(
            "section size mismatch: bytes after the final end",
            reader.offset(),
        ));
    }
    Ok(())
}
