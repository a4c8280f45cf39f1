//! The GC heap and its collector (`runtime/gc.rs`): what is garbage is
//! freed, cycles included; what a table, a global, a host handle or a
//! suspended frame reaches survives a collection at that moment.

use weft::*;

fn engine(stress: bool) -> Engine {
    let mut config = Config::new();
    config
        .features(Features::WASM3)
        .strategy(Strategy::Interpreter)
        .gc_stress(stress);
    Engine::new(&config)
}

const MODULE: &str = r#"(module
    (type $node (struct (field $v (mut i32)) (field $next (mut (ref null $node)))))
    (global $g (mut (ref null $node)) (ref.null $node))
    (table $t 1 (ref null $node))
    ;; A cycle of two nodes, reachable from nothing once the call returns.
    (func (export "cycle")
        (local $a (ref null $node)) (local $b (ref null $node))
        (local.set $a (struct.new $node (i32.const 1) (ref.null $node)))
        (local.set $b (struct.new $node (i32.const 2) (local.get $a)))
        (struct.set $node $next (local.get $a) (local.get $b)))
    ;; `n` short-lived nodes.
    (func $churn (export "churn") (param $n i32)
        (loop $l
            (drop (struct.new $node (local.get $n) (ref.null $node)))
            (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (func (export "keep") (param i32)
        (global.set $g (struct.new $node (local.get 0) (ref.null $node)))
        (table.set $t (i32.const 0) (struct.new $node (i32.add (local.get 0) (i32.const 1)) (ref.null $node))))
    (func (export "from_global") (result i32) (struct.get $node $v (global.get $g)))
    (func (export "from_table") (result i32) (struct.get $node $v (table.get $t (i32.const 0))))
    (func (export "make") (param i32) (result anyref) (struct.new $node (local.get 0) (ref.null $node)))
    (func (export "read") (param anyref) (result i32)
        (struct.get $node $v (ref.cast (ref $node) (local.get 0))))
    ;; A node held only by this suspended frame while the callee churns.
    (func (export "suspended") (param i32) (result i32)
        (local $x (ref null $node))
        (local.set $x (struct.new $node (local.get 0) (ref.null $node)))
        (call $churn (i32.const 1000))
        (struct.get $node $v (local.get $x))))"#;

fn instance(store: &mut Store<()>) -> Instance {
    let module = Module::new(store.engine(), MODULE).unwrap();
    Linker::new(store.engine())
        .instantiate(&mut *store, &module)
        .unwrap()
}

#[test]
fn garbage_and_cycles_are_collected() {
    let mut store = Store::new(&engine(false), ());
    let inst = instance(&mut store);
    let cycle = inst.get_typed_func::<(), ()>(&mut store, "cycle").unwrap();
    for _ in 0..100 {
        cycle.call(&mut store, ()).unwrap();
    }
    assert_eq!(store.gc_stats().0, 200);
    store.gc();
    assert_eq!(store.gc_stats().0, 0, "the cycles are garbage");
    // Allocation alone triggers collections, which keep the heap small.
    let churn = inst.get_typed_func::<i32, ()>(&mut store, "churn").unwrap();
    churn.call(&mut store, 1_000_000).unwrap();
    let (live, collections) = store.gc_stats();
    assert!(collections > 1, "{collections} collections");
    assert!(live < 100_000, "{live} objects live");
}

#[test]
fn roots_survive_collections() {
    for stress in [false, true] {
        let mut store = Store::new(&engine(stress), ());
        let inst = instance(&mut store);
        let keep = inst.get_typed_func::<i32, ()>(&mut store, "keep").unwrap();
        let churn = inst.get_typed_func::<i32, ()>(&mut store, "churn").unwrap();
        let from_global = inst
            .get_typed_func::<(), i32>(&mut store, "from_global")
            .unwrap();
        let from_table = inst
            .get_typed_func::<(), i32>(&mut store, "from_table")
            .unwrap();
        let suspended = inst
            .get_typed_func::<i32, i32>(&mut store, "suspended")
            .unwrap();
        let make = inst.get_func(&mut store, "make").unwrap();
        let read = inst.get_func(&mut store, "read").unwrap();
        keep.call(&mut store, 41).unwrap();
        let mut held = [Val::I32(0)];
        make.call(&mut store, &[Val::I32(7)], &mut held).unwrap();
        churn.call(&mut store, 100_000).unwrap();
        store.gc();
        assert_eq!(from_global.call(&mut store, ()).unwrap(), 41);
        assert_eq!(from_table.call(&mut store, ()).unwrap(), 42);
        assert_eq!(suspended.call(&mut store, 9).unwrap(), 9);
        let mut out = [Val::I32(0)];
        read.call(&mut store, &held, &mut out).unwrap();
        assert_eq!(out[0], Val::I32(7), "the host handle's object survived");
        let Val::AnyRef(Some(a)) = held[0] else {
            panic!("not an anyref: {:?}", held[0]);
        };
        assert_eq!(a.kind(&store), AnyKind::Struct);
        // The host reads and writes the fields of the object it holds.
        assert_eq!(a.get(&store, 0).unwrap(), Val::I32(7));
        a.set(&mut store, 0, Val::I32(8)).unwrap();
        read.call(&mut store, &held, &mut out).unwrap();
        assert_eq!(out[0], Val::I32(8));
        assert_eq!(a.get(&store, 1).unwrap(), Val::AnyRef(None));
        assert!(a.get(&store, 2).is_err(), "no third field");
        assert!(a.set(&mut store, 0, Val::I64(1)).is_err(), "type mismatch");
    }
}

/// Casts, i31 and the conversions between `any` and `extern`, through the
/// API's values.
#[test]
fn i31_and_conversions() {
    let mut store = Store::new(&engine(false), ());
    let module = Module::new(
        store.engine(),
        r#"(module
            (func (export "i31") (param i32) (result anyref) (ref.i31 (local.get 0)))
            (func (export "out") (param anyref) (result externref) (extern.convert_any (local.get 0)))
            (func (export "in") (param externref) (result anyref) (any.convert_extern (local.get 0)))
            (func (export "get") (param anyref) (result i32)
                (i31.get_s (ref.cast i31ref (local.get 0)))))"#,
    )
    .unwrap();
    let inst = Linker::new(store.engine())
        .instantiate(&mut store, &module)
        .unwrap();
    let f = |store: &mut Store<()>, name: &str, arg: Val| {
        let mut out = [Val::I32(0)];
        let func = inst.get_func(&mut *store, name).unwrap();
        func.call(&mut *store, &[arg], &mut out).map(|()| out[0])
    };
    let v = f(&mut store, "i31", Val::I32(-5)).unwrap();
    let Val::AnyRef(Some(a)) = v else {
        panic!("{v:?}")
    };
    assert_eq!(a.kind(&store), AnyKind::I31(-5));
    let e = f(&mut store, "out", v).unwrap();
    let back = f(&mut store, "in", e).unwrap();
    assert_eq!(f(&mut store, "get", back).unwrap(), Val::I32(-5));
    let host = ExternRef::new(&mut store, 3u32);
    let a = f(&mut store, "in", Val::ExternRef(Some(host))).unwrap();
    let Val::AnyRef(Some(r)) = a else {
        panic!("{a:?}")
    };
    assert_eq!(r.kind(&store), AnyKind::Host(host));
    let err = f(&mut store, "get", a).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::CastFailure));
}

/// Typed host handles: an `anyref` to a struct is a `StructRef` (its fields
/// read and written), one to an array an `ArrayRef` (length and elements);
/// neither view applies to the other kind.
#[test]
fn struct_and_array_handles() {
    let engine = engine(false);
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module
            (type $s (struct (field (mut i32)) (field i8)))
            (type $a (array (mut i64)))
            (func (export "s") (result anyref) (struct.new $s (i32.const 7) (i32.const -1)))
            (func (export "a") (result anyref) (array.new $a (i64.const 3) (i32.const 4)))
            (func (export "sum") (param anyref) (result i64)
                (local $a (ref $a)) (local $i i32) (local $t i64)
                (local.set $a (ref.cast (ref $a) (local.get 0)))
                (loop $l
                    (local.set $t (i64.add (local.get $t) (array.get $a (local.get $a) (local.get $i))))
                    (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                        (array.len (local.get $a)))))
                (local.get $t)))"#,
    )
    .unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let call = |store: &mut Store<()>, name: &str| {
        let mut out = [Val::I32(0)];
        instance
            .get_func(&mut *store, name)
            .unwrap()
            .call(&mut *store, &[], &mut out)
            .unwrap();
        match out[0] {
            Val::AnyRef(Some(r)) => r,
            other => panic!("{other:?}"),
        }
    };
    let s = call(&mut store, "s").as_struct(&store).expect("a struct");
    assert_eq!(s.field(&store, 0).unwrap(), Val::I32(7));
    assert_eq!(s.field(&store, 1).unwrap(), Val::I32(0xff));
    s.set_field(&mut store, 0, Val::I32(9)).unwrap();
    assert_eq!(s.field(&store, 0).unwrap(), Val::I32(9));
    // The second field is immutable.
    assert!(s.set_field(&mut store, 1, Val::I32(1)).is_err());
    assert!(s.to_anyref().as_array(&store).is_none());

    let a = call(&mut store, "a").as_array(&store).expect("an array");
    assert_eq!(a.len(&store), 4);
    a.set(&mut store, 2, Val::I64(10)).unwrap();
    assert_eq!(a.get(&store, 2).unwrap(), Val::I64(10));
    assert!(a.get(&store, 4).is_err());
    assert!(a.to_anyref().as_struct(&store).is_none());
    let sum = instance.get_func(&mut store, "sum").unwrap();
    let mut out = [Val::I64(0)];
    sum.call(&mut store, &[Val::AnyRef(Some(a.to_anyref()))], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I64(3 + 3 + 10 + 3));
}
