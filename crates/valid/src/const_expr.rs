//! Constant expressions (§3.3.10): global initialisers and segment offsets
//! and items.
//!
//! As in the reference interpreter, every instruction is first checked to be
//! constant (in order, so that the first offending instruction is the one
//! reported), then the sequence is type-checked. In Wasm 2.0 a `global.get`
//! in a constant expression may name only an imported, immutable global: the
//! context `C'` of §3.4.10 holds just the imported globals.

use crate::error::{Result, ValidationError};
use crate::module::Context;
use crate::types::{list, OpType};
use weft_binary::Reader;
use weft_syntax::{Expr, Instr, Mut};

/// Validates `expr` as a constant expression of type `expected` (§3.3.10)
/// and records the functions it references as declared (§3.4.10, `refs`).
/// `stack` is scratch space reused between calls.
pub(crate) fn validate_const_expr(
    cx: &mut Context,
    expr: &Expr<'_>,
    expected: OpType,
    stack: &mut Vec<OpType>,
) -> Result<()> {
    stack.clear();
    let mut reader = Reader::new_at(&expr.bytes, expr.offset, cx.features);
    // A `ref.func` of an unknown function is a type error, reported only if
    // every instruction is constant.
    let mut unknown_func: Option<ValidationError> = None;
    loop {
        let at = reader.offset();
        let instr = reader.read_instr()?;
        let t = match instr {
            Instr::I32Const { .. } => OpType::I32,
            Instr::I64Const { .. } => OpType::I64,
            Instr::F32Const { .. } => OpType::F32,
            Instr::F64Const { .. } => OpType::F64,
            Instr::V128Const { .. } => OpType::V128,
            Instr::RefNull { ty } => {
                crate::module::check_heap_type(ty)
                    .map_err(|m| ValidationError::invalid_at(m, at))?;
                OpType::of_heap(ty)
            }
            Instr::RefFunc { func } => {
                match cx.refs.get_mut(func.index()) {
                    Some(declared) => *declared = true,
                    None => {
                        if unknown_func.is_none() {
                            unknown_func = Some(ValidationError::invalid_at(
                                format!("unknown function {func}"),
                                at,
                            ));
                        }
                    }
                }
                OpType::FuncRef
            }
            Instr::GlobalGet { global } => {
                let g = cx
                    .globals
                    .get(global.index())
                    .filter(|_| global.index() < cx.imported_globals)
                    .ok_or_else(|| {
                        ValidationError::invalid_at(format!("unknown global {global}"), at)
                    })?;
                if g.mutability == Mut::Var {
                    return Err(ValidationError::invalid_at(
                        "constant expression required: global.get of a mutable global",
                        at,
                    ));
                }
                OpType::of(g.content)
            }
            Instr::End {} => break,
            other => {
                return Err(ValidationError::invalid_at(
                    format!("constant expression required: {}", other.mnemonic()),
                    at,
                ))
            }
        };
        stack.push(t);
    }
    if !reader.is_empty() {
        return Err(ValidationError::malformed_at(
            "section size mismatch: bytes after the end of a constant expression",
            reader.offset(),
        ));
    }
    if let Some(e) = unknown_func {
        return Err(e);
    }
    if stack.as_slice() != [expected] {
        return Err(ValidationError::invalid_at(
            format!(
                "type mismatch: constant expression must have type [{expected}] but has {}",
                list(stack)
            ),
            expr.offset,
        ));
    }
    Ok(())
}
