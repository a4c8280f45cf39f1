//! Constant expressions (§3.3.10): global initialisers and segment offsets
//! and items.
//!
//! As in the reference interpreter, every instruction is first checked to be
//! constant (in order, so that the first offending instruction is the one
//! reported), then the sequence is type-checked. In Wasm 2.0 a `global.get`
//! in a constant expression may name only an imported, immutable global: the
//! context `C'` of §3.4.10 holds just the imported globals; Wasm 3.0 (GC)
//! allows every immutable global defined before, and extended constant
//! expressions add integer `add`, `sub` and `mul`.

use crate::error::{Result, ValidationError};
use crate::module::Context;
use crate::subtyping::check_heap_type;
use crate::types::{list, Heap, OpType};
use weft_binary::Reader;
use weft_syntax::{Expr, Feature, HeapType, Instr, Mut, TypeIdx};

/// Validates `expr` as a constant expression of type `expected` (§3.3.10)
/// and records the functions it references as declared (§3.4.10, `refs`).
/// `global.get` may name the first `visible_globals` globals. `stack` is
/// scratch space reused between calls.
pub(crate) fn validate_const_expr(
    cx: &mut Context,
    expr: &Expr<'_>,
    expected: OpType,
    visible_globals: usize,
    stack: &mut Vec<OpType>,
) -> Result<()> {
    stack.clear();
    let mut reader = Reader::new_at(&expr.bytes, expr.offset, cx.features);
    let extended = cx.features.has(Feature::ExtendedConst);
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
            // Extended constant expressions: integer add, sub and mul.
            Instr::I32Add {} | Instr::I32Sub {} | Instr::I32Mul {} if extended => {
                binary(stack, OpType::I32, at)?
            }
            Instr::I64Add {} | Instr::I64Sub {} | Instr::I64Mul {} if extended => {
                binary(stack, OpType::I64, at)?
            }
            Instr::RefNull { ty } => {
                check_heap_type(cx.features, cx.types.len(), ty)
                    .map_err(|m| ValidationError::invalid_at(m, at))?;
                OpType::reference(true, cx.subtypes.heap(ty))
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
                cx.func_ref(func.index())
            }
            Instr::GlobalGet { global } => {
                let g = cx
                    .globals
                    .get(global.index())
                    .filter(|_| global.index() < visible_globals)
                    .ok_or_else(|| {
                        ValidationError::invalid_at(format!("unknown global {global}"), at)
                    })?;
                if g.mutability == Mut::Var {
                    return Err(ValidationError::invalid_at(
                        "constant expression required: global.get of a mutable global",
                        at,
                    ));
                }
                cx.global_types[global.index()]
            }
            // GC allocations (3.0), typed as in function bodies.
            Instr::StructNew { ty } | Instr::StructNewDesc { ty } => {
                let fields = cx.struct_fields(ty).map_err(|m| invalid_at(m, at))?;
                let desc = matches!(instr, Instr::StructNewDesc { .. });
                pop_alloc_desc(cx, stack, ty, desc, at)?;
                for f in fields.iter().rev() {
                    pop(cx, stack, f.ty, at)?;
                }
                new_ref(cx, ty)
            }
            Instr::StructNewDefault { ty } | Instr::StructNewDefaultDesc { ty } => {
                let fields = cx.struct_fields(ty).map_err(|m| invalid_at(m, at))?;
                let desc = matches!(instr, Instr::StructNewDefaultDesc { .. });
                pop_alloc_desc(cx, stack, ty, desc, at)?;
                if let Some(f) = fields.iter().find(|f| !f.defaultable()) {
                    return Err(invalid_at(
                        format!(
                            "type mismatch: struct.new_default of a field of non-defaultable type {}",
                            f.storage
                        ),
                        at,
                    ));
                }
                new_ref(cx, ty)
            }
            Instr::ArrayNew { ty } => {
                let f = cx.array_field(ty).map_err(|m| invalid_at(m, at))?;
                pop(cx, stack, OpType::I32, at)?;
                pop(cx, stack, f.ty, at)?;
                new_ref(cx, ty)
            }
            Instr::ArrayNewDefault { ty } => {
                let f = cx.array_field(ty).map_err(|m| invalid_at(m, at))?;
                if !f.defaultable() {
                    return Err(invalid_at(
                        format!(
                            "type mismatch: array.new_default of non-defaultable type {}",
                            f.storage
                        ),
                        at,
                    ));
                }
                pop(cx, stack, OpType::I32, at)?;
                new_ref(cx, ty)
            }
            Instr::ArrayNewFixed { ty, len } => {
                let f = cx.array_field(ty).map_err(|m| invalid_at(m, at))?;
                // Ends at the first missing operand, so a huge count is cheap.
                for _ in 0..len {
                    pop(cx, stack, f.ty, at)?;
                }
                new_ref(cx, ty)
            }
            Instr::RefI31 {} => {
                pop(cx, stack, OpType::I32, at)?;
                OpType::reference(false, Heap::I31)
            }
            Instr::AnyConvertExtern {} => convert(cx, stack, Heap::EXTERN, Heap::ANY, at)?,
            Instr::ExternConvertAny {} => convert(cx, stack, Heap::ANY, Heap::EXTERN, at)?,
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
    if !matches!(stack.as_slice(), [t] if cx.subtypes.matches(*t, expected)) {
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

fn invalid_at(message: impl Into<String>, at: usize) -> ValidationError {
    ValidationError::invalid_at(message, at)
}

/// Pops an operand that must match `t`.
fn pop(cx: &Context, stack: &mut Vec<OpType>, t: OpType, at: usize) -> Result<()> {
    match stack.pop() {
        Some(x) if cx.subtypes.matches(x, t) => Ok(()),
        Some(x) => Err(invalid_at(
            format!("type mismatch: instruction requires [{t}] but stack has [{x}]"),
            at,
        )),
        None => Err(invalid_at(
            format!("type mismatch: instruction requires [{t}] but stack is empty"),
            at,
        )),
    }
}

/// `(ref ty)`, the result of an allocation; `(ref (exact ty))` with custom
/// descriptors.
fn new_ref(cx: &Context, ty: TypeIdx) -> OpType {
    let h = if cx.features.has(Feature::CustomDescriptors) {
        HeapType::Exact(ty)
    } else {
        HeapType::Concrete(ty)
    };
    OpType::reference(false, cx.subtypes.heap(h))
}

/// Custom descriptors: a struct type with a descriptor is allocated by the
/// `_desc` forms only, which pop the descriptor `(ref null (exact y))`
/// first; a type without one by the plain forms only.
fn pop_alloc_desc(
    cx: &Context,
    stack: &mut Vec<OpType>,
    ty: TypeIdx,
    desc: bool,
    at: usize,
) -> Result<()> {
    match (cx.subtypes.descriptor(ty.0), desc) {
        (Some(y), true) => {
            let d = OpType::reference(true, cx.subtypes.heap(HeapType::Exact(y)));
            pop(cx, stack, d, at)
        }
        (None, false) => Ok(()),
        (Some(_), false) => Err(invalid_at(
            "type with descriptor requires descriptor allocation",
            at,
        )),
        (None, true) => Err(invalid_at(
            "type without descriptor requires non-descriptor allocation",
            at,
        )),
    }
}

/// `any.convert_extern` and `extern.convert_any`: the nullability stays.
fn convert(
    cx: &Context,
    stack: &mut Vec<OpType>,
    from: Heap,
    to: Heap,
    at: usize,
) -> Result<OpType> {
    let nullable = stack.last().and_then(|t| t.as_ref()).is_none_or(|(n, _)| n);
    pop(cx, stack, OpType::reference(true, from), at)?;
    Ok(OpType::reference(nullable, to))
}

/// Pops the two operands of a binary operator of type `t`; returns `t`.
fn binary(stack: &mut Vec<OpType>, t: OpType, at: usize) -> Result<OpType> {
    for _ in 0..2 {
        match stack.pop() {
            Some(x) if x == t => {}
            Some(x) => {
                return Err(ValidationError::invalid_at(
                    format!("type mismatch: instruction requires [{t}] but stack has [{x}]"),
                    at,
                ))
            }
            None => {
                return Err(ValidationError::invalid_at(
                    format!("type mismatch: instruction requires [{t}] but stack is empty"),
                    at,
                ))
            }
        }
    }
    Ok(t)
}
