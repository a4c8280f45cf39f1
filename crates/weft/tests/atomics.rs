//! The threads proposal's atomic instructions with the single-threaded
//! semantics of a store (`interp/exec/atomic.rs`), in every tier (the
//! compiler declines functions with atomics, which then run interpreted):
//! what the spec scripts do not cover, namely other memories than 0, 64-bit
//! memories, offsets in the alignment check, and the waits that no other
//! thread can end.

use weft::*;

const MODULE: &str = r#"(module
    (memory $m 1 1 shared)
    (memory $u 1)
    (memory $w i64 1 1)
    (func (export "wait32") (param i32 i32 i64) (result i32)
        (memory.atomic.wait32 $m (local.get 0) (local.get 1) (local.get 2)))
    (func (export "wait64") (param i32 i64 i64) (result i32)
        (memory.atomic.wait64 $m (local.get 0) (local.get 1) (local.get 2)))
    (func (export "wait_unshared") (result i32)
        (memory.atomic.wait32 $u (i32.const 0) (i32.const 0) (i64.const 0)))
    (func (export "notify") (param i32 i32) (result i32)
        (memory.atomic.notify $m (local.get 0) (local.get 1)))
    ;; Memory 1 (unshared): add with an offset that the alignment check sees.
    (func (export "add_u") (param i32 i32) (result i32)
        (atomic.fence)
        (i32.atomic.rmw.add $u offset=4 (local.get 0) (local.get 1)))
    (func (export "load_u") (param i32) (result i32)
        (i32.atomic.load $u (local.get 0)))
    ;; The 64-bit memory: cmpxchg of 16 bits, the expected value wrapped.
    (func (export "cmpxchg_w") (param i64 i64 i64) (result i64)
        (i64.atomic.rmw16.cmpxchg_u $w (local.get 0) (local.get 1) (local.get 2)))
    (func (export "load_w") (param i64) (result i64)
        (i64.atomic.load $w (local.get 0)))
)"#;

fn trap<T: std::fmt::Debug>(r: Result<T>) -> Option<TrapCode> {
    r.unwrap_err().trap_code()
}

fn run(strategy: Strategy) {
    let mut config = Config::new();
    config
        .features(Features::from_name("3.0,threads").unwrap())
        .strategy(strategy);
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, MODULE).unwrap();
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();

    // Waits: not-equal (1), timed out at once (2), no timeout: a trap, as
    // nobody could ever notify.
    let wait32 = inst
        .get_typed_func::<(i32, i32, i64), i32>(&mut store, "wait32")
        .unwrap();
    assert_eq!(wait32.call(&mut store, (0, 1, 0)).unwrap(), 1);
    assert_eq!(wait32.call(&mut store, (0, 0, 1_000_000)).unwrap(), 2);
    assert_eq!(
        trap(wait32.call(&mut store, (0, 0, -1))),
        Some(TrapCode::WaitDeadlock)
    );
    assert_eq!(
        trap(wait32.call(&mut store, (2, 0, 0))),
        Some(TrapCode::UnalignedAtomic)
    );
    assert_eq!(
        trap(wait32.call(&mut store, (65536, 0, 0))),
        Some(TrapCode::MemoryOutOfBounds)
    );
    let wait64 = inst
        .get_typed_func::<(i32, i64, i64), i32>(&mut store, "wait64")
        .unwrap();
    assert_eq!(wait64.call(&mut store, (8, 0, 0)).unwrap(), 2);
    assert_eq!(
        trap(wait64.call(&mut store, (4, 0, 0))),
        Some(TrapCode::UnalignedAtomic)
    );
    let unshared = inst
        .get_typed_func::<(), i32>(&mut store, "wait_unshared")
        .unwrap();
    assert_eq!(
        trap(unshared.call(&mut store, ())),
        Some(TrapCode::ExpectedSharedMemory)
    );
    let notify = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "notify")
        .unwrap();
    assert_eq!(notify.call(&mut store, (0, 10)).unwrap(), 0);
    assert_eq!(
        trap(notify.call(&mut store, (1, 10))),
        Some(TrapCode::UnalignedAtomic)
    );

    // Memory 1: the offset counts in the effective address.
    let add = inst
        .get_typed_func::<(i32, i32), i32>(&mut store, "add_u")
        .unwrap();
    let load = inst
        .get_typed_func::<i32, i32>(&mut store, "load_u")
        .unwrap();
    assert_eq!(add.call(&mut store, (8, 5)).unwrap(), 0);
    assert_eq!(add.call(&mut store, (8, -1)).unwrap(), 5);
    assert_eq!(load.call(&mut store, 12).unwrap(), 4);
    assert_eq!(
        trap(add.call(&mut store, (2, 1))),
        Some(TrapCode::UnalignedAtomic)
    );
    assert_eq!(
        trap(add.call(&mut store, (65532, 1))),
        Some(TrapCode::MemoryOutOfBounds)
    );
    // Unaligned and out of bounds: the alignment is checked first.
    assert_eq!(
        trap(add.call(&mut store, (65533, 1))),
        Some(TrapCode::UnalignedAtomic)
    );

    // The 64-bit memory: a 16-bit cmpxchg compares the expected value
    // wrapped to 16 bits and stores the replacement's low 16 bits.
    let cmpxchg = inst
        .get_typed_func::<(i64, i64, i64), i64>(&mut store, "cmpxchg_w")
        .unwrap();
    let load_w = inst
        .get_typed_func::<i64, i64>(&mut store, "load_w")
        .unwrap();
    assert_eq!(
        cmpxchg
            .call(&mut store, (16, 0x7_0000, 0x1234_5678))
            .unwrap(),
        0
    );
    assert_eq!(load_w.call(&mut store, 16).unwrap(), 0x5678);
    assert_eq!(cmpxchg.call(&mut store, (16, 1, 2)).unwrap(), 0x5678);
    assert_eq!(load_w.call(&mut store, 16).unwrap(), 0x5678);
    assert_eq!(
        trap(cmpxchg.call(&mut store, (1 << 40, 0, 0))),
        Some(TrapCode::MemoryOutOfBounds)
    );
    assert_eq!(
        trap(cmpxchg.call(&mut store, (-2, 0, 0))),
        Some(TrapCode::MemoryOutOfBounds)
    );
}

#[test]
fn atomics_interpreted() {
    run(Strategy::Interpreter);
}

#[test]
fn atomics_compiled() {
    run(Strategy::Compiler);
}

#[test]
fn atomics_auto() {
    run(Strategy::Auto);
}
