//! The compiler tier (`Strategy::Compiler`) through the embedding API: that
//! functions really are compiled, calls in every direction (host ->
//! compiled -> interpreted -> host -> compiled), traps with the
//! interpreter's codes and backtraces, out-of-bounds accesses at every edge
//! of memory, runaway recursion, and a host error crossing compiled frames;
//! after each failure the store must stay usable.

use weft::*;

fn engine() -> Engine {
    Engine::new(
        Config::new()
            .strategy(Strategy::Compiler)
            .cranelift_debug_verifier(true),
    )
}

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, Instance, Module) {
    let module = Module::new(engine, wat).expect("module compiles");
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .expect("module instantiates");
    (store, instance, module)
}

#[test]
fn functions_are_compiled_and_others_declined() {
    let (mut store, instance, module) = instantiate(
        &engine(),
        r#"(module
            (func (export "fac") (param i64) (result i64)
                (if (result i64) (i64.eqz (local.get 0))
                    (then (i64.const 1))
                    (else (i64.mul (local.get 0) (call 0 (i64.sub (local.get 0) (i64.const 1)))))))
            (func (export "i31") (param i32) (result i32) (i31.get_s (ref.i31 (local.get 0)))))"#,
    );
    let (compiled, declined) = module.compiled_functions().expect("compiled tier on");
    assert_eq!(compiled, 1);
    assert_eq!(declined.len(), 1);
    assert_eq!(declined[0].0, 1);
    let fac = instance
        .get_typed_func::<i64, i64>(&mut store, "fac")
        .unwrap();
    assert_eq!(fac.call(&mut store, 20).unwrap(), 2432902008176640000);
}

/// Tail calls run in constant stack in compiled code: a million-deep
/// mutual `return_call` and `return_call_indirect` recursion, compiled.
/// In a module where the compiler declines some function (here one that
/// throws), a chain of tail calls could alternate between the tiers, which
/// nests native frames: there the tail calls stay interpreted, and the
/// same recursion through the declined function runs too.
#[test]
fn tail_calls_are_compiled_where_they_cannot_cross_tiers() {
    const EVEN_ODD: &str = r#"
        (type $t (func (param i64) (result i32)))
        (table 1 funcref)
        (elem (i32.const 0) $odd)
        (func $even (export "even") (param i64) (result i32)
            (if (result i32) (i64.eqz (local.get 0))
                (then (i32.const 1))
                (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
        (func $odd (param i64) (result i32)
            (if (result i32) (i64.eqz (local.get 0))
                (then (i32.const 0))
                (else (return_call $step (i64.sub (local.get 0) (i64.const 1))))))"#;
    let plain = format!(
        "(module {EVEN_ODD} (func $step (param i64) (result i32) (return_call $even (local.get 0))))"
    );
    let throwing = format!(
        r#"(module {EVEN_ODD}
            (tag $e)
            (func $step (param i64) (result i32)
                (block $caught (try_table (catch $e $caught)
                    (if (i64.eq (local.get 0) (i64.const -1)) (then (throw $e)))))
                (return_call $even (local.get 0))))"#
    );
    for strategy in [Strategy::Compiler, Strategy::Auto] {
        for (wat, compiled_all) in [(&plain, true), (&throwing, false)] {
            let engine = Engine::new(Config::new().strategy(strategy));
            let (mut store, instance, module) = instantiate(&engine, wat);
            let even = instance
                .get_typed_func::<i64, i32>(&mut store, "even")
                .unwrap();
            assert_eq!(even.call(&mut store, 1_000_000).unwrap(), 1, "{strategy:?}");
            assert_eq!(even.call(&mut store, 1_000_001).unwrap(), 0, "{strategy:?}");
            let (compiled, declined) = module.compiled_functions().unwrap();
            if compiled_all {
                assert_eq!(
                    (compiled, declined.len()),
                    (3, 0),
                    "{strategy:?}: {declined:?}"
                );
            } else {
                assert_eq!(compiled, 0, "{strategy:?}: {declined:?}");
                assert!(
                    declined.iter().any(|(_, why)| why.contains("tail calls")),
                    "{strategy:?}: {declined:?}"
                );
            }
        }
    }
}

/// Typed function references are compiled: `call_ref` and
/// `return_call_ref` through a reference, `br_on_null`, `br_on_non_null`
/// and `ref.as_non_null`, with the interpreter's traps on null.
#[test]
fn typed_function_references_are_compiled() {
    let wat = r#"(module
        (type $un (func (param i32) (result i32)))
        (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
        (func $dbl (type $un) (i32.mul (local.get 0) (i32.const 2)))
        (table $t 2 (ref null $un))
        (elem (table $t) (i32.const 0) (ref null $un) (ref.func $inc) (ref.func $dbl))
        (elem declare func $inc $dbl)
        (func $pick (param i32) (result (ref null $un))
            (if (result (ref null $un)) (i32.lt_u (local.get 0) (i32.const 2))
                (then (table.get $t (local.get 0)))
                (else (ref.null $un))))
        ;; f(which, x): which's function of x, or -1 if there is none
        (func (export "apply") (param i32 i32) (result i32)
            (block $none
                local.get 1
                local.get 0
                call $pick
                br_on_null $none
                call_ref $un
                return)
            (i32.const -1))
        (func (export "non_null") (param i32 i32) (result i32)
            (local $f (ref null $un))
            (block $some (result (ref $un))
                (br_on_non_null $some (call $pick (local.get 0)))
                (return (i32.const -2)))
            (local.set $f)
            (return_call_ref $un (local.get 1) (local.get $f)))
        (func (export "as_non_null") (param i32 i32) (result i32)
            (call_ref $un (local.get 1) (ref.as_non_null (call $pick (local.get 0)))))
        (func (export "call_null") (param i32) (result i32)
            (call_ref $un (local.get 0) (call $pick (i32.const 9)))))"#;
    for strategy in [Strategy::Compiler, Strategy::Auto] {
        let engine = Engine::new(Config::new().strategy(strategy));
        let (mut store, instance, module) = instantiate(&engine, wat);
        let f = |store: &mut Store<()>, name: &str| {
            instance
                .get_typed_func::<(i32, i32), i32>(&mut *store, name)
                .unwrap()
        };
        let apply = f(&mut store, "apply");
        assert_eq!(apply.call(&mut store, (0, 5)).unwrap(), 6);
        assert_eq!(apply.call(&mut store, (1, 5)).unwrap(), 10);
        assert_eq!(apply.call(&mut store, (2, 5)).unwrap(), -1);
        let non_null = f(&mut store, "non_null");
        assert_eq!(non_null.call(&mut store, (1, 7)).unwrap(), 14);
        assert_eq!(non_null.call(&mut store, (3, 7)).unwrap(), -2);
        let as_non_null = f(&mut store, "as_non_null");
        assert_eq!(as_non_null.call(&mut store, (0, 1)).unwrap(), 2);
        let e = as_non_null.call(&mut store, (5, 1)).unwrap_err();
        assert_eq!(e.trap_code(), Some(TrapCode::NullReference), "{strategy:?}");
        let call_null = instance
            .get_typed_func::<i32, i32>(&mut store, "call_null")
            .unwrap();
        let e = call_null.call(&mut store, 1).unwrap_err();
        assert_eq!(
            e.trap_code(),
            Some(TrapCode::NullFunctionReference),
            "{strategy:?}"
        );
        assert_eq!(
            e.to_string().lines().next(),
            Some("null function reference")
        );
        let (_, declined) = module.compiled_functions().unwrap();
        assert!(declined.is_empty(), "{strategy:?}: {declined:?}");
    }
}

/// v128 values in every place compiled code keeps or passes them: host
/// arguments and results, calls to interpreted and host functions (two
/// slots each), globals, locals, block results and `select`.
#[test]
fn v128_values_cross_the_tiers() {
    let engine = engine();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("env", "swap", |a: u128, b: u128| (b, a))
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "swap" (func $swap (param v128 v128) (result v128 v128)))
            (global $g (mut v128) (v128.const i32x4 1 2 3 4))
            ;; interpreted (an i31 reference): adds a lane index to every lane
            (func $interp (param v128 i32) (result v128)
                (drop (ref.i31 (local.get 1)))
                (i32x4.add (local.get 0) (i32x4.splat (local.get 1))))
            (func (export "run") (param $a v128) (param $b v128) (param $k i32) (result v128 i32)
                (local $t v128)
                (local.set $t (call $interp (local.get $a) (local.get $k)))
                (call $swap (local.get $t) (local.get $b))
                ;; [b, a + k]: keep a + k, add it to the global
                (local.set $t)
                (drop)
                (global.set $g (i32x4.add (global.get $g) (local.get $t)))
                (block (result v128)
                    (select (global.get $g) (local.get $b) (local.get $k)))
                (i32x4.extract_lane 3 (global.get $g))))"#,
    )
    .unwrap();
    let (compiled, declined) = module.compiled_functions().unwrap();
    assert_eq!((compiled, declined.len()), (1, 1));
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_func(&mut store, "run").unwrap();
    let lanes = |l: [u32; 4]| {
        Val::V128(
            l.iter()
                .rev()
                .fold(0u128, |acc, &x| (acc << 32) | u128::from(x)),
        )
    };
    let mut out = [Val::I32(0), Val::I32(0)];
    run.call(
        &mut store,
        &[lanes([10, 20, 30, 40]), lanes([5, 6, 7, 8]), Val::I32(100)],
        &mut out,
    )
    .unwrap();
    // g = [1, 2, 3, 4] + [110, 120, 130, 140]; k != 0 selects g.
    assert_eq!(out[0], lanes([111, 122, 133, 144]));
    assert_eq!(out[1], Val::I32(144));
    run.call(
        &mut store,
        &[lanes([0; 4]), lanes([5, 6, 7, 8]), Val::I32(0)],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[0], lanes([5, 6, 7, 8]));
    assert_eq!(out[1], Val::I32(144));
}

#[test]
fn calls_in_every_direction() {
    let engine = engine();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "double", |x: i32| x * 2).unwrap();
    // $interp uses an i31 reference (GC, which the compiler declines) so
    // it stays in the interpreter; it calls back into compiled $inc.
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "double" (func $double (param i32) (result i32)))
            (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
            (func $interp (param i32) (result i32)
                (drop (ref.i31 (local.get 0)))
                (call $inc (call $double (local.get 0))))
            (table funcref (elem $inc $interp $double))
            (type $t (func (param i32) (result i32)))
            (func (export "run") (param i32) (result i32)
                (i32.add
                    (call $interp (local.get 0))
                    (call_indirect (type $t) (local.get 0) (i32.const 2)))))"#,
    )
    .unwrap();
    let (compiled, declined) = module.compiled_functions().unwrap();
    assert_eq!((compiled, declined.len()), (2, 1));
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    // (2x + 1) + 2x
    assert_eq!(run.call(&mut store, 5).unwrap(), 21);
}

#[test]
fn traps_match_the_interpreter() {
    let (mut store, instance, _) = instantiate(
        &engine(),
        r#"(module $m
            (type $t (func (param i32) (result i32)))
            (table 2 funcref)
            (elem (i32.const 0) $inner)
            (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
            (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0)))
            (func (export "ind") (param i32) (result i32) (call_indirect (type $t) (i32.const 0) (local.get 0)))
            (func (export "ind_bad") (result i64) (call_indirect (result i64) (i32.const 0)))
            (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
            (func (export "ovf") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
            (func (export "rem") (param i64) (result i64) (i64.rem_s (local.get 0) (i64.const -1)))
            (func (export "unreachable") unreachable))"#,
    );
    let outer = instance
        .get_typed_func::<i32, i32>(&mut store, "outer")
        .unwrap();
    let err = outer.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["inner", "outer"]);
    assert_eq!(outer.call(&mut store, 1).unwrap(), 1);

    let ind = instance
        .get_typed_func::<i32, i32>(&mut store, "ind")
        .unwrap();
    let code = |r: Result<i32>| r.unwrap_err().trap_code();
    assert_eq!(
        code(ind.call(&mut store, 1)),
        Some(TrapCode::IndirectCallToNull)
    );
    assert_eq!(
        code(ind.call(&mut store, 2)),
        Some(TrapCode::UndefinedElement)
    );
    let bad = instance
        .get_typed_func::<(), i64>(&mut store, "ind_bad")
        .unwrap();
    assert_eq!(
        bad.call(&mut store, ()).unwrap_err().trap_code(),
        Some(TrapCode::BadSignature)
    );

    let trunc = instance
        .get_typed_func::<f64, i32>(&mut store, "trunc")
        .unwrap();
    assert_eq!(trunc.call(&mut store, -2147483648.9).unwrap(), i32::MIN);
    assert_eq!(
        code(trunc.call(&mut store, 2147483648.0)),
        Some(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        code(trunc.call(&mut store, -2147483649.0)),
        Some(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        code(trunc.call(&mut store, f64::NAN)),
        Some(TrapCode::BadConversionToInteger)
    );
    let ovf = instance
        .get_typed_func::<i32, i32>(&mut store, "ovf")
        .unwrap();
    assert_eq!(
        code(ovf.call(&mut store, i32::MIN)),
        Some(TrapCode::IntegerOverflow)
    );
    assert_eq!(ovf.call(&mut store, 6).unwrap(), -6);
    let rem = instance
        .get_typed_func::<i64, i64>(&mut store, "rem")
        .unwrap();
    assert_eq!(rem.call(&mut store, i64::MIN).unwrap(), 0);
    let unr = instance
        .get_typed_func::<(), ()>(&mut store, "unreachable")
        .unwrap();
    let err = unr.call(&mut store, ()).unwrap_err();
    assert_eq!(err.as_trap().unwrap().message(), "unreachable");
}

#[test]
fn memory_edges_and_growth() {
    let (mut store, instance, module) = instantiate(
        &engine(),
        r#"(module
            (memory (export "mem") 1 3)
            (func (export "load") (param i32) (result i64) (i64.load offset=0 (local.get 0)))
            (func (export "load_off") (param i32) (result i32) (i32.load8_u offset=0xffffffff (local.get 0)))
            (func (export "store") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "size") (result i32) (memory.size)))"#,
    );
    assert_eq!(module.compiled_functions().unwrap().0, 5);
    let load = instance
        .get_typed_func::<i32, i64>(&mut store, "load")
        .unwrap();
    let load_off = instance
        .get_typed_func::<i32, i32>(&mut store, "load_off")
        .unwrap();
    let store16 = instance
        .get_typed_func::<(i32, i32), ()>(&mut store, "store")
        .unwrap();
    let grow = instance
        .get_typed_func::<i32, i32>(&mut store, "grow")
        .unwrap();
    let size = instance
        .get_typed_func::<(), i32>(&mut store, "size")
        .unwrap();
    let oob = Some(TrapCode::MemoryOutOfBounds);
    assert_eq!(load.call(&mut store, 65536 - 8).unwrap(), 0);
    for a in [65536 - 7, 65536, -1, i32::MIN] {
        assert_eq!(
            load.call(&mut store, a).unwrap_err().trap_code(),
            oob,
            "load at {a}"
        );
    }
    for a in [0, 1, -1] {
        assert_eq!(
            load_off.call(&mut store, a).unwrap_err().trap_code(),
            oob,
            "offset {a}"
        );
    }
    store16.call(&mut store, (65534, 0x1234)).unwrap();
    assert_eq!(
        store16
            .call(&mut store, (65535, 1))
            .unwrap_err()
            .trap_code(),
        oob
    );
    let mem = instance.get_memory(&mut store, "mem").unwrap();
    let base = mem.data(&store).as_ptr();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(size.call(&mut store, ()).unwrap(), 3);
    assert_eq!(mem.data(&store).as_ptr(), base, "growth moved the memory");
    assert_eq!(load.call(&mut store, 65534).unwrap(), 0x1234);
    assert_eq!(load.call(&mut store, 3 * 65536 - 8).unwrap(), 0);
    // Growth by the host is seen by compiled code.
    assert_eq!(
        load.call(&mut store, 3 * 65536 - 7)
            .unwrap_err()
            .trap_code(),
        oob
    );
}

#[test]
fn runaway_recursion_and_host_errors() {
    #[derive(Debug)]
    struct Refused;
    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("refused")
        }
    }
    impl std::error::Error for Refused {}
    let engine = engine();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("env", "check", |x: i32| -> Result<i32> {
            if x < 0 {
                Err(Error::host(Refused))
            } else {
                Ok(x + 1)
            }
        })
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "check" (func $check (param i32) (result i32)))
            (func $mid (param i32) (result i32) (call $check (local.get 0)))
            (func (export "run") (param i32) (result i32) (call $mid (local.get 0)))
            (func $deep (export "deep") (param i64) (result i64)
                (i64.add (i64.const 1) (call $deep (i64.add (local.get 0) (i64.const 1))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    let err = run.call(&mut store, -1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host);
    assert!(err.downcast_ref::<Refused>().is_some());
    assert_eq!(run.call(&mut store, 1).unwrap(), 2);
    let deep = instance
        .get_typed_func::<i64, i64>(&mut store, "deep")
        .unwrap();
    for _ in 0..3 {
        let err = deep.call(&mut store, 0).unwrap_err();
        assert_eq!(err.as_trap().unwrap().message(), "call stack exhausted");
    }
    assert_eq!(run.call(&mut store, 41).unwrap(), 42);
}

#[test]
fn million_deep_recursion_traps_and_the_store_stays_usable() {
    let (mut store, instance, module) = instantiate(
        &engine(),
        r#"(module
            (func $count (export "count") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 0))
                    (else (i32.add (i32.const 1)
                        (call $count (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    assert_eq!(module.compiled_functions().unwrap().0, 1);
    let count = instance
        .get_typed_func::<i32, i32>(&mut store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 1000).unwrap(), 1000);
    for _ in 0..2 {
        let err = count.call(&mut store, 1_000_000).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), TrapCode::StackOverflow);
        assert_eq!(trap.message(), "call stack exhausted");
        assert_eq!(trap.backtrace()[0].func_name.as_deref(), Some("count"));
    }
    assert_eq!(count.call(&mut store, 1000).unwrap(), 1000);
}

#[test]
fn calls_between_instances_are_native_and_traps_cross_them() {
    let engine = engine();
    let mut store = Store::new(&engine, ());
    let a = Module::new(
        &engine,
        r#"(module $a
            (func $div (export "div") (param i32 i32) (result i32)
                (i32.div_u (local.get 0) (local.get 1)))
            (table (export "t") 1 funcref)
            (elem (i32.const 0) $div))"#,
    )
    .unwrap();
    let b = Module::new(
        &engine,
        r#"(module $b
            (import "a" "div" (func $div (param i32 i32) (result i32)))
            (import "a" "t" (table 1 funcref))
            (type $t (func (param i32 i32) (result i32)))
            (func $direct (export "direct") (param i32) (result i32)
                (call $div (i32.const 100) (local.get 0)))
            (func $indirect (export "indirect") (param i32) (result i32)
                (call_indirect (type $t) (i32.const 100) (local.get 0) (i32.const 0))))"#,
    )
    .unwrap();
    assert_eq!(a.compiled_functions().unwrap().0, 1);
    assert_eq!(b.compiled_functions().unwrap().0, 2);
    let mut linker = Linker::new(&engine);
    let ia = linker.instantiate(&mut store, &a).unwrap();
    linker.instance(&mut store, "a", ia).unwrap();
    let ib = linker.instantiate(&mut store, &b).unwrap();
    for name in ["direct", "indirect"] {
        let f = ib.get_typed_func::<i32, i32>(&mut store, name).unwrap();
        assert_eq!(f.call(&mut store, 7).unwrap(), 14, "{name}");
        let err = f.call(&mut store, 0).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
        let names: Vec<_> = trap
            .backtrace()
            .iter()
            .map(|f| f.func_name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, ["div", name], "{name}");
    }
}

/// What a call did with a given amount of fuel: its result or trap, and
/// the state it left (global, memory, fuel left).
#[derive(Debug, PartialEq)]
struct Outcome {
    result: std::result::Result<i32, Option<TrapCode>>,
    global: i32,
    memory: Vec<u8>,
    fuel_left: u64,
}

#[test]
fn fuel_runs_out_at_the_same_instruction_in_both_tiers() {
    // Loops, a call in a loop, an if, dead code after a branch and after
    // a loop that never ends normally: the fuel points and the counted
    // instructions must be the interpreter's.
    let wat = r#"(module
        (global $g (export "g") (mut i32) (i32.const 0))
        (memory (export "mem") 1)
        (func $step (param i32) (result i32)
            (global.set $g (i32.add (global.get $g) (i32.const 1)))
            (i32.store (i32.shl (local.get 0) (i32.const 2)) (local.get 0))
            (block $b (br $b) (i32.const 1) (drop))
            (if (i32.eq (local.get 0) (i32.const 1000))
                (then (block (unreachable)) (nop) (nop) (nop)))
            (i32.add (local.get 0) (i32.const 1)))
        (func $spin (param i32) (result i32)
            (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (local.get 0))
        (func (export "run") (param i32) (result i32)
            (local $i i32)
            (block $done
                (loop $l
                    (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
                    (local.set $i (call $step (local.get $i)))
                    (if (i32.and (local.get $i) (i32.const 1))
                        (then (global.set $g (i32.add (global.get $g) (call $spin (i32.const 3))))))
                    (br $l))
                (unreachable))
            (local.get $i)))"#;
    let setups: Vec<_> = [Strategy::Interpreter, Strategy::Compiler]
        .into_iter()
        .map(|strategy| {
            let engine = Engine::new(Config::new().strategy(strategy).consume_fuel(true));
            let module = Module::new(&engine, wat).unwrap();
            (engine, module)
        })
        .collect();
    assert_eq!(setups[1].1.compiled_functions().unwrap().0, 3);
    let outcome = |(engine, module): &(Engine, Module), fuel: u64| {
        let mut store = Store::new(engine, ());
        let instance = Linker::new(engine).instantiate(&mut store, module).unwrap();
        store.set_fuel(fuel).unwrap();
        let run = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .unwrap();
        let result = run.call(&mut store, 40).map_err(|e| e.trap_code());
        let global = instance.get_global(&store, "g").unwrap();
        let Val::I32(global) = global.get(&store) else {
            panic!("global type")
        };
        let mem = instance.get_memory(&store, "mem").unwrap();
        Outcome {
            result,
            global,
            memory: mem.data(&store)[..164].to_vec(),
            fuel_left: store.get_fuel().unwrap(),
        }
    };
    let (mut ran_out, mut finished) = (0, 0);
    for fuel in 0..2_500 {
        let interp = outcome(&setups[0], fuel);
        let compiled = outcome(&setups[1], fuel);
        assert_eq!(compiled, interp, "with {fuel} fuel");
        match interp.result {
            Ok(_) => finished += 1,
            Err(code) => {
                assert_eq!(code, Some(TrapCode::OutOfFuel), "with {fuel} fuel");
                ran_out += 1;
            }
        }
    }
    // Both cases are covered.
    assert!(
        ran_out > 100 && finished > 100,
        "{ran_out} ran out, {finished} finished"
    );
}

#[test]
fn bulk_memory_tables_and_references_are_compiled() {
    let (mut store, instance, module) = instantiate(
        &engine(),
        r#"(module
            (memory 1)
            (data $d "hello")
            (table $t 4 funcref)
            (elem $e func $f $g)
            (func $f (result i32) (i32.const 7))
            (func $g (result i32) (i32.const 9))
            (func (export "bulk") (result i32)
                (memory.init $d (i32.const 10) (i32.const 0) (i32.const 5))
                (memory.copy (i32.const 20) (i32.const 10) (i32.const 5))
                (memory.fill (i32.const 12) (i32.const 0x41) (i32.const 2))
                (i32.add (i32.load8_u (i32.const 13)) (i32.load8_u (i32.const 24))))
            (func (export "init_dropped") (data.drop $d)
                (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)))
            (func (export "fill_oob") (memory.fill (i32.const 65535) (i32.const 0) (i32.const 2)))
            (func (export "tables") (result i32)
                (table.init $t $e (i32.const 1) (i32.const 0) (i32.const 2))
                (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 2))
                (drop (table.grow $t (ref.func $g) (i32.const 2)))
                (table.fill $t (i32.const 5) (ref.null func) (i32.const 1))
                (table.set $t (i32.const 3) (table.get $t (i32.const 4)))
                (i32.add
                    (i32.mul (table.size $t) (i32.const 100))
                    (i32.add
                        (ref.is_null (table.get $t (i32.const 5)))
                        (call_indirect (result i32) (i32.const 3)))))
            (func (export "table_oob") (table.set $t (i32.const 99) (ref.null func))))"#,
    );
    let (compiled, declined) = module.compiled_functions().unwrap();
    assert_eq!((compiled, declined.len()), (7, 0), "{declined:?}");
    let call = |store: &mut Store<()>, name: &str| {
        instance
            .get_typed_func::<(), i32>(&mut *store, name)
            .unwrap()
            .call(store, ())
    };
    // 'A' at 13, 'o' at 24.
    assert_eq!(call(&mut store, "bulk").unwrap(), 0x41 + i32::from(b'o'));
    // 6 elements; 5 is null; 3 holds $g (from the growth).
    assert_eq!(call(&mut store, "tables").unwrap(), 600 + 1 + 9);
    let nothing = |store: &mut Store<()>, name: &str| {
        instance
            .get_typed_func::<(), ()>(&mut *store, name)
            .unwrap()
            .call(store, ())
            .unwrap_err()
            .trap_code()
    };
    assert_eq!(
        nothing(&mut store, "init_dropped"),
        Some(TrapCode::MemoryOutOfBounds)
    );
    assert_eq!(
        nothing(&mut store, "fill_oob"),
        Some(TrapCode::MemoryOutOfBounds)
    );
    assert_eq!(
        nothing(&mut store, "table_oob"),
        Some(TrapCode::TableOutOfBounds)
    );
}

#[test]
fn host_functions_see_the_compiled_caller_instance() {
    let engine = engine();
    let mut linker = Linker::<()>::new(&engine);
    // Like WASI: the host reads its argument from the caller's memory.
    linker
        .func_wrap(
            "env",
            "peek",
            |mut caller: Caller<'_, ()>, at: i32| -> Result<i32> {
                let mem = caller
                    .get_export("mem")
                    .and_then(Extern::into_memory)
                    .ok_or_else(|| Error::msg("no caller memory"))?;
                Ok(i32::from(mem.data(&caller)[at as usize]))
            },
        )
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "peek" (func $peek (param i32) (result i32)))
            (memory (export "mem") 1)
            (data (i32.const 5) "\2a")
            (func (export "run") (result i32) (call $peek (i32.const 5))))"#,
    )
    .unwrap();
    assert_eq!(module.compiled_functions().unwrap().0, 1);
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(), i32>(&mut store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 42);
}

#[test]
fn globals_stay_right_when_a_host_call_moves_the_store_globals() {
    let engine = engine();
    let mut linker = Linker::<()>::new(&engine);
    // Adding many globals reallocates the store's global array, which
    // compiled code reads globals from.
    linker
        .func_wrap(
            "env",
            "add_globals",
            |mut caller: Caller<'_, ()>| -> Result<()> {
                let ty = GlobalType {
                    mutability: Mut::Var,
                    content: ValType::I64,
                };
                for i in 0..4096 {
                    Global::new(&mut caller, ty, Val::I64(i))?;
                }
                Ok(())
            },
        )
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "add_globals" (func $add))
            (global $a (export "a") (mut i32) (i32.const 5))
            (global $b (mut f64) (f64.const 1.5))
            (func (export "run") (result i32)
                (global.set $a (i32.add (global.get $a) (i32.const 1)))
                (call $add)
                (global.set $a (i32.mul (global.get $a) (i32.const 10)))
                (global.set $b (f64.mul (global.get $b) (f64.const 2)))
                (call $add)
                (i32.add (global.get $a) (i32.trunc_f64_s (global.get $b)))))"#,
    )
    .unwrap();
    assert_eq!(module.compiled_functions().unwrap().0, 1);
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(), i32>(&mut store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 60 + 3);
    let a = instance.get_global(&store, "a").unwrap();
    assert_eq!(a.get(&store), Val::I32(60));
}

/// Mutual recursion between a compiled function and an interpreted one
/// (it uses `try_table`, which the compiler declines): every level crosses the
/// tiers through the runtime, and the depth is bounded by native stack
/// bytes (`max_wasm_stack`), as in compiled code alone, not by a count of
/// re-entries.
const MIXED: &str = r#"(module
    (func $interp (export "interp") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (try_table (result i32) (i32.const 1))
                (call $comp (i32.sub (local.get 0) (i32.const 1)))))))
    (func $comp (export "comp") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (i32.const 1)
                (call $interp (i32.sub (local.get 0) (i32.const 1))))))))"#;

/// Runs `f` on a thread with a stack of `mib` MiB.
fn on_big_stack<R: Send + 'static>(mib: usize, f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(mib << 20)
        .spawn(f)
        .expect("spawn a thread")
        .join()
        .expect("the thread finished")
}

#[test]
fn deep_recursion_across_tiers_is_bounded_by_stack_bytes() {
    for strategy in [Strategy::Compiler, Strategy::Auto] {
        // About 660 bytes of native stack per level, i.e. per crossing
        // (measured: 798 levels in the default 512 KiB with this
        // `try_table` marker).
        on_big_stack(64, move || {
            let engine = Engine::new(
                Config::new()
                    .strategy(strategy)
                    .max_wasm_stack(32 << 20)
                    .cranelift_debug_verifier(true),
            );
            let (mut store, instance, module) = instantiate(&engine, MIXED);
            let comp = instance
                .get_typed_func::<i32, i32>(&mut store, "comp")
                .unwrap();
            let interp = instance
                .get_typed_func::<i32, i32>(&mut store, "interp")
                .unwrap();
            assert_eq!(
                comp.call(&mut store, 50_000).unwrap(),
                50_000,
                "{strategy:?}"
            );
            assert_eq!(
                interp.call(&mut store, 50_001).unwrap(),
                50_001,
                "{strategy:?}"
            );
            let (compiled, declined) = module.compiled_functions().unwrap();
            assert_eq!((compiled, declined.len()), (1, 1), "{strategy:?}");
            // Runaway recursion still ends in a trap, and the store stays usable.
            let err = comp.call(&mut store, i32::MAX).unwrap_err();
            assert_eq!(err.as_trap().unwrap().message(), "call stack exhausted");
            assert_eq!(comp.call(&mut store, 1000).unwrap(), 1000);
        });
    }
}

#[test]
fn runaway_recursion_across_tiers_traps_under_the_defaults() {
    for strategy in [Strategy::Compiler, Strategy::Auto] {
        let engine = Engine::new(Config::new().strategy(strategy));
        let (mut store, instance, _) = instantiate(&engine, MIXED);
        let comp = instance
            .get_typed_func::<i32, i32>(&mut store, "comp")
            .unwrap();
        for _ in 0..3 {
            let err = comp.call(&mut store, i32::MAX).unwrap_err();
            let trap = err.as_trap().expect("a trap");
            assert_eq!(trap.code(), TrapCode::StackOverflow, "{strategy:?}");
            assert_eq!(trap.message(), "call stack exhausted");
        }
        // Within the default 512 KiB (798 levels fit, measured on
        // 2026-12-04 with the runtime trampoline's frame at each crossing;
        // 808 before it).
        assert_eq!(comp.call(&mut store, 750).unwrap(), 750, "{strategy:?}");
    }
}

/// Loads of every width: (instruction, bytes, conversion of the result to
/// i64 bits).
const LOADS: &[(&str, u64, &str)] = &[
    ("i32.load", 4, "i64.extend_i32_u"),
    ("i64.load", 8, ""),
    ("f32.load", 4, "i32.reinterpret_f32 i64.extend_i32_u"),
    ("f64.load", 8, "i64.reinterpret_f64"),
    ("i32.load8_s", 1, "i64.extend_i32_u"),
    ("i32.load8_u", 1, "i64.extend_i32_u"),
    ("i32.load16_s", 2, "i64.extend_i32_u"),
    ("i32.load16_u", 2, "i64.extend_i32_u"),
    ("i64.load8_s", 1, ""),
    ("i64.load8_u", 1, ""),
    ("i64.load16_s", 2, ""),
    ("i64.load16_u", 2, ""),
    ("i64.load32_s", 4, ""),
    ("i64.load32_u", 4, ""),
];

/// Stores of every width: (instruction, bytes, value).
const STORES: &[(&str, u64, &str)] = &[
    ("i32.store", 4, "i32.const 0x11223344"),
    ("i64.store", 8, "i64.const 0x1122334455667788"),
    ("f32.store", 4, "i32.const 0x11223344 f32.reinterpret_i32"),
    (
        "f64.store",
        8,
        "i64.const 0x1122334455667788 f64.reinterpret_i64",
    ),
    ("i32.store8", 1, "i32.const 0x11223344"),
    ("i32.store16", 2, "i32.const 0x11223344"),
    ("i64.store8", 1, "i64.const 0x1122334455667788"),
    ("i64.store16", 2, "i64.const 0x1122334455667788"),
    ("i64.store32", 4, "i64.const 0x1122334455667788"),
];

const OFFSETS: [u64; 5] = [0, 1, 65535, 65536, 0xffff_ffff];

/// A module with a load and a store function per width and offset (reached
/// through two calls, for the backtrace), `grow` and a recursion that ends
/// in an out-of-bounds load.
fn edges_module() -> String {
    let mut m = String::from("(module (memory (export \"mem\") 1 3)\n");
    for (i, (op, _, conv)) in LOADS.iter().enumerate() {
        for (j, off) in OFFSETS.iter().enumerate() {
            m += &format!(
                "(func $load_{i}_{j} (export \"load_{i}_{j}\") (param i32) (result i64) \
                 local.get 0 {op} offset={off} {conv})\n"
            );
        }
    }
    for (i, (op, _, value)) in STORES.iter().enumerate() {
        for (j, off) in OFFSETS.iter().enumerate() {
            m += &format!(
                "(func $store_{i}_{j} (export \"store_{i}_{j}\") (param i32) \
                 local.get 0 {value} {op} offset={off})\n"
            );
        }
    }
    m += r#"
        (func $mid (param i32) (result i64) (call $load_1_0 (local.get 0)))
        (func $outer (export "outer") (param i32) (result i64) (call $mid (local.get 0)))
        (func $deep (export "deep") (param i32) (result i64)
            (if (result i64) (i32.eqz (local.get 0))
                (then (i64.load (i32.const -1)))
                (else (call $deep (i32.sub (local.get 0) (i32.const 1))))))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    m
}

/// Every access at and around the end of memory (before and after
/// `memory.grow`): its result or trap, the trap's backtrace, and the bytes
/// around the end after each store (a trapping store writes nothing).
fn edge_outcomes(config: &Config) -> Vec<String> {
    let engine = Engine::new(config);
    let (mut store, instance, _) = instantiate(&engine, &edges_module());
    let mem = instance.get_memory(&mut store, "mem").unwrap();
    let mut out = Vec::new();
    let describe = |r: Result<i64>| match r {
        Ok(v) => format!("ok {v:#x}"),
        Err(e) => {
            let t = e.as_trap().expect("a trap");
            let names: Vec<_> = t.backtrace().iter().map(|f| f.func_name.clone()).collect();
            format!("{} {names:?} +{}", t.message(), t.frames_elided())
        }
    };
    for pages in [1u64, 2] {
        let len = pages * 65536;
        let mut addrs = vec![0u64, 0x8000_0000, 0xffff_ffff];
        for off in OFFSETS {
            for size in [1, 2, 4, 8] {
                for d in [-1i64, 0, 1] {
                    let a = len as i64 - off as i64 - size as i64 + d;
                    if (0..=u32::MAX as i64).contains(&a) {
                        addrs.push(a as u64);
                    }
                }
            }
        }
        for (i, (_, size, _)) in LOADS.iter().enumerate() {
            for (j, off) in OFFSETS.iter().enumerate() {
                let f = instance
                    .get_typed_func::<i32, i64>(&mut store, &format!("load_{i}_{j}"))
                    .unwrap();
                for &a in &addrs {
                    let r = f.call(&mut store, a as u32 as i32);
                    // The spec's rule, checked here so that every mode is
                    // held to it, not only to the others.
                    assert_eq!(r.is_err(), a + off + size > len, "load_{i}_{j} at {a}");
                    out.push(format!("load_{i}_{j} {a}: {}", describe(r)));
                }
            }
        }
        for (i, (_, size, _)) in STORES.iter().enumerate() {
            for (j, off) in OFFSETS.iter().enumerate() {
                let f = instance
                    .get_typed_func::<i32, ()>(&mut store, &format!("store_{i}_{j}"))
                    .unwrap();
                for &a in &addrs {
                    let r = f.call(&mut store, a as u32 as i32).map(|()| 0);
                    assert_eq!(r.is_err(), a + off + size > len, "store_{i}_{j} at {a}");
                    let data = mem.data(&store);
                    let tail = &data[data.len() - 16..];
                    out.push(format!("store_{i}_{j} {a}: {} {tail:x?}", describe(r)));
                    mem.data_mut(&mut store)[len as usize - 16..].fill(0);
                }
            }
        }
        let outer = instance
            .get_typed_func::<i32, i64>(&mut store, "outer")
            .unwrap();
        out.push(format!("outer: {}", describe(outer.call(&mut store, -1))));
        let deep = instance
            .get_typed_func::<i32, i64>(&mut store, "deep")
            .unwrap();
        out.push(format!("deep: {}", describe(deep.call(&mut store, 1000))));
        let grow = instance
            .get_typed_func::<i32, i32>(&mut store, "grow")
            .unwrap();
        assert_eq!(grow.call(&mut store, 1).unwrap(), pages as i32);
    }
    out
}

/// Out-of-bounds accesses at every width and offset edge, before and after
/// `memory.grow`, give the interpreter's results, traps and backtraces in
/// compiled code with guard pages (the fault handler) and with explicit
/// bounds checks, compiled eagerly or on first call; the store stays
/// usable after each trap, and the process does not crash.
#[test]
fn out_of_bounds_at_every_edge_with_and_without_guard_pages() {
    let reference = edge_outcomes(Config::new().strategy(Strategy::Interpreter));
    assert!(reference
        .iter()
        .any(|o| o.contains("out of bounds memory access")));
    assert!(reference
        .iter()
        .any(|o| o.starts_with("outer: ") && o.contains("Some(\"mid\")")));
    for (strategy, guards) in [
        (Strategy::Compiler, true),
        (Strategy::Compiler, false),
        (Strategy::Auto, true),
    ] {
        let outcomes = edge_outcomes(
            Config::new()
                .strategy(strategy)
                .memory_guards(guards)
                .cranelift_debug_verifier(true),
        );
        assert_eq!(outcomes.len(), reference.len());
        for (a, b) in outcomes.iter().zip(&reference) {
            assert_eq!(a, b, "{strategy:?}, guards {guards}");
        }
    }
}

/// Compiled code's faults on other threads, concurrently, are each caught
/// on their own thread.
#[test]
fn out_of_bounds_faults_on_many_threads() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module (memory 1)
            (func (export "f") (param i32) (result i32) (i32.load (local.get 0))))"#,
    )
    .unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (engine, module) = (engine.clone(), module.clone());
            std::thread::spawn(move || {
                let mut store = Store::new(&engine, ());
                let instance = Linker::new(&engine)
                    .instantiate(&mut store, &module)
                    .unwrap();
                let f = instance
                    .get_typed_func::<i32, i32>(&mut store, "f")
                    .unwrap();
                for i in 0..1000 {
                    let err = f.call(&mut store, 65533 + i % 1000).unwrap_err();
                    assert_eq!(err.trap_code(), Some(TrapCode::MemoryOutOfBounds));
                    assert_eq!(f.call(&mut store, 0).unwrap(), 0);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// A module with enough code (about 100 KB) that `Strategy::Compiler`
/// compiles it on several threads: every function compiles, and the
/// results are those of compilation on one thread.
#[test]
fn parallel_compilation_compiles_every_function() {
    let mut wat = String::from("(module\n");
    for i in 0..300 {
        wat.push_str(&format!(
            "(func $f{i} (export \"f{i}\") (param i32) (result i32)\n"
        ));
        wat.push_str("  (local.get 0)\n");
        for k in 0..60 {
            let op = ["i32.add", "i32.xor", "i32.mul", "i32.sub"][(i + k) % 4];
            wat.push_str(&format!("  (i32.const {}) ({op})\n", i * 61 + k + 1));
        }
        if i > 0 {
            wat.push_str(&format!("  (call $f{})\n", i - 1));
        }
        wat.push_str(")\n");
    }
    wat.push(')');
    let run = |parallel: bool| {
        let engine = Engine::new(
            Config::new()
                .strategy(Strategy::Compiler)
                .parallel_compilation(parallel),
        );
        let module = Module::new(&engine, &wat).unwrap();
        let (compiled, declined) = module.compiled_functions().unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance
            .get_typed_func::<i32, i32>(&mut store, "f299")
            .unwrap();
        let results: Vec<i32> = (0..20)
            .map(|x| f.call(&mut store, x * 7919).unwrap())
            .collect();
        (compiled, declined.len(), results)
    };
    let (one, many) = (run(false), run(true));
    assert_eq!(one.0, 300);
    assert_eq!(one, many);
}

/// Compiled `call_indirect` looks its callee up inline, in the store's
/// table and function-reference arrays (the runtime only on a miss): it
/// must see a table grown by the host, by interpreted code and by compiled
/// code, and functions created or instantiated while compiled code runs.
#[test]
fn call_indirect_sees_tables_and_functions_added_while_it_runs() {
    struct Data {
        table: Option<Table>,
        other: Option<Module>,
    }
    let engine = engine();
    let mut store = Store::new(
        &engine,
        Data {
            table: None,
            other: None,
        },
    );
    let ty = TableType::new(RefType::FUNCREF, Limits { min: 2, max: None });
    let table = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap();
    store.data_mut().table = Some(table);
    let other = Module::new(
        &engine,
        r#"(module (func (export "f") (result i32) (i32.const 99)))"#,
    )
    .unwrap();
    store.data_mut().other = Some(other);
    let mut linker = Linker::<Data>::new(&engine);
    linker.define("env", "tab", table).unwrap();
    linker
        .func_wrap("env", "add", |mut caller: Caller<'_, Data>| -> Result<()> {
            let table = caller.data().table.unwrap();
            let other = caller.data().other.clone().unwrap();
            // Grows the table from 2 to 50 elements (moving them), with
            // a new host function at 40 and a function of a new instance
            // at 41.
            table.grow(&mut caller, 48, Val::FuncRef(None))?;
            let f = Func::wrap(&mut caller, || 42i32);
            table.set(&mut caller, 40, Val::FuncRef(Some(f)))?;
            let linker = Linker::new(caller.engine());
            let instance = linker.instantiate(&mut caller, &other)?;
            let g = instance.get_func(&mut caller, "f").unwrap();
            table.set(&mut caller, 41, Val::FuncRef(Some(g)))?;
            Ok(())
        })
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (type $r (func (result i32)))
            (import "env" "tab" (table $t 2 funcref))
            (import "env" "add" (func $add))
            (func $seven (type $r) (i32.const 7))
            (func $interp_grow (result i32)
                (drop (try_table (result i32) (i32.const 0)))
                (table.grow $t (ref.func $seven) (i32.const 10)))
            (elem declare func $seven)
            (func (export "run") (result i32)
                (call $add)
                ;; 42 and 99 from what the host added; the interpreter
                ;; grows to 60 and compiled code to 70.
                (i32.mul (call_indirect (type $r) (i32.const 40)) (i32.const 1000))
                (i32.add (call_indirect (type $r) (i32.const 41)))
                (i32.add (call_indirect (type $r)
                    (i32.add (call $interp_grow) (i32.const 5))))
                (i32.add (call_indirect (type $r)
                    (i32.add (table.grow $t (ref.func $seven) (i32.const 10))
                             (i32.const 9)))))
            (func (export "at") (param i32) (result i32)
                (call_indirect (type $r) (local.get 0))))"#,
    )
    .unwrap();
    let (compiled, declined) = module.compiled_functions().unwrap();
    assert_eq!((compiled, declined.len()), (3, 1));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(), i32>(&mut store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 42_000 + 99 + 7 + 7);
    assert_eq!(table.size(&store), 70);
    let at = instance
        .get_typed_func::<i32, i32>(&mut store, "at")
        .unwrap();
    assert_eq!(at.call(&mut store, 41).unwrap(), 99);
    for (i, message) in [
        (0, "uninitialized element"),
        (70, "undefined element"),
        (-1, "undefined element"),
    ] {
        let e = at.call(&mut store, i).unwrap_err();
        assert!(e.to_string().contains(message), "{i}: {e}");
    }
}

/// On a thread whose stack is smaller than `max_wasm_stack` (512 KiB by
/// default), runaway recursion across the tiers still ends in "call stack
/// exhausted", not in an overflow of the thread's stack that would kill
/// the process: the limit keeps clear of the thread's end.
#[test]
fn runaway_recursion_on_a_small_thread_traps() {
    for strategy in [Strategy::Compiler, Strategy::Auto] {
        let outcome = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let engine = Engine::new(Config::new().strategy(strategy));
                let (mut store, instance, _) = instantiate(&engine, MIXED);
                let comp = instance
                    .get_typed_func::<i32, i32>(&mut store, "comp")
                    .unwrap();
                let err = comp.call(&mut store, i32::MAX).unwrap_err();
                let message = err.as_trap().expect("a trap").message().to_string();
                (message, comp.call(&mut store, 10).unwrap())
            })
            .expect("spawn a thread")
            .join()
            .expect("the thread finished");
        assert_eq!(
            outcome,
            ("call stack exhausted".to_string(), 10),
            "{strategy:?}"
        );
    }
}
