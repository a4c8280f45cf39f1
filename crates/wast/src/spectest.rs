//! The `spectest` host module, as the reference interpreter defines it
//! (`interpreter/host/spectest.ml`): print functions, four immutable
//! globals, a table (and its 64-bit twin `table64`), a memory and (threads)
//! a shared one, `shared_memory`.
//!
//! The print functions print nothing: the runner keeps stdout for its
//! report. Their types are what the scripts link against.

use weft::{
    AddrType, Extern, FuncType, Global, GlobalType, Limits, MemType, Memory, Mut, RefType, Store,
    Table, TableType, Val, ValType,
};

/// The module name scripts import from.
pub const MODULE: &str = "spectest";

/// Creates the `spectest` items in `store`, by export name.
pub fn items(store: &mut Store<()>) -> weft::Result<Vec<(&'static str, Extern)>> {
    use ValType::{F32, F64, I32, I64};
    let mut items = Vec::new();
    let funcs: [(&'static str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in funcs {
        let ty = FuncType {
            params: params.to_vec(),
            results: Vec::new(),
        };
        let func = weft::Func::new(&mut *store, ty, |_caller, _params, _results| Ok(()));
        items.push((name, Extern::Func(func)));
    }
    let globals: [(&'static str, ValType, Val); 4] = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, content, value) in globals {
        let ty = GlobalType {
            mutability: Mut::Const,
            content,
        };
        let global = Global::new(&mut *store, ty, value)?;
        items.push((name, Extern::Global(global)));
    }
    let table_ty = TableType::new(
        RefType::FUNCREF,
        Limits {
            min: 10,
            max: Some(20),
        },
    );
    let table = Table::new(&mut *store, table_ty, Val::FuncRef(None))?;
    items.push(("table", Extern::Table(table)));
    // The same with 64-bit indices (table64).
    let table64_ty = TableType {
        addr: AddrType::I64,
        ..table_ty
    };
    let table64 = Table::new(&mut *store, table64_ty, Val::FuncRef(None))?;
    items.push(("table64", Extern::Table(table64)));
    let memory_ty = MemType::new(Limits {
        min: 1,
        max: Some(2),
    });
    let memory = Memory::new(&mut *store, memory_ty)?;
    items.push(("memory", Extern::Memory(memory)));
    // The threads proposal's shared twin.
    let shared_ty = MemType {
        shared: true,
        ..memory_ty
    };
    let shared_memory = Memory::new(&mut *store, shared_ty)?;
    items.push(("shared_memory", Extern::Memory(shared_memory)));
    Ok(items)
}
