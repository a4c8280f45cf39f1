//! The embedding API end to end: host functions, `Caller` memory access,
//! typed calls, traps with backtraces, and the robustness guarantees
//! (deep recursion, fuel, memory limits, host errors) after which the
//! store must stay usable.

use weft::*;

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat).expect("module compiles");
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .expect("module instantiates");
    (store, instance)
}

#[test]
fn typed_and_untyped_calls() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module
            (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
            (func (export "swap") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))
            (func (export "v") (param v128) (result v128) (i32x4.add (local.get 0) (local.get 0))))"#,
    );
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "add")
        .unwrap();
    assert_eq!(add.call(&mut store, (2, 40)).unwrap(), 42);
    assert_eq!(add.call(&mut store, (i32::MAX, 1)).unwrap(), i32::MIN);
    let swap = instance
        .get_typed_func::<(i64, f64), (f64, i64)>(&mut store, "swap")
        .unwrap();
    assert_eq!(swap.call(&mut store, (7, 1.5)).unwrap(), (1.5, 7));
    let v = instance.get_func(&mut store, "v").unwrap();
    let mut out = [Val::V128(0)];
    v.call(
        &mut store,
        &[Val::V128(0x0000_0003_0000_0002_0000_0001_0000_0000)],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[0], Val::V128(0x0000_0006_0000_0004_0000_0002_0000_0000));
    // Wrong types are errors, not panics.
    assert!(instance
        .get_typed_func::<i32, i32>(&mut store, "add")
        .is_err());
    let f = instance.get_func(&mut store, "add").unwrap();
    let err = f
        .call(&mut store, &[Val::I64(1), Val::I32(2)], &mut [Val::I32(0)])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
}

#[test]
fn host_function_reads_guest_memory_through_caller() {
    let engine = Engine::default();
    let mut linker = Linker::<Vec<String>>::new(&engine);
    linker
        .func_wrap(
            "env",
            "log",
            |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> Result<()> {
                let mem = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .ok_or_else(|| Error::msg("no memory"))?;
                let bytes = mem
                    .data(&caller)
                    .get(ptr as usize..(ptr + len) as usize)
                    .ok_or_else(|| Error::msg("bad pointer"))?
                    .to_vec();
                caller
                    .data_mut()
                    .push(String::from_utf8_lossy(&bytes).into_owned());
                Ok(())
            },
        )
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "log" (func $log (param i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "hello, weft")
            (func (export "run") (call $log (i32.const 16) (i32.const 11))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<(), ()>(&mut store, "run")
        .unwrap();
    run.call(&mut store, ()).unwrap();
    run.call(&mut store, ()).unwrap();
    assert_eq!(store.data(), &["hello, weft", "hello, weft"]);
}

#[test]
fn func_new_and_host_results() {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    let ty = FuncType {
        params: vec![ValType::I32],
        results: vec![ValType::I64, ValType::F32],
    };
    linker
        .func_new("env", "split", ty, |_caller, params, results| {
            let x = params[0].i32().unwrap();
            results[0] = Val::I64(i64::from(x) * 2);
            results[1] = Val::from(x as f32);
            Ok(())
        })
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "split" (func $s (param i32) (result i64 f32)))
            (func (export "run") (param i32) (result i64)
                (call $s (local.get 0)) (drop)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<i32, i64>(&mut store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, 21).unwrap(), 42);
}

#[test]
fn trap_has_code_message_and_backtrace() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module $m
            (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
            (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0))))"#,
    );
    let outer = instance
        .get_typed_func::<i32, i32>(&mut store, "outer")
        .unwrap();
    let err = outer.call(&mut store, 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Trap);
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.code(), TrapCode::IntegerDivisionByZero);
    assert_eq!(trap.message(), "integer divide by zero");
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["inner", "outer"]);
    assert_eq!(trap.backtrace()[0].module_name.as_deref(), Some("m"));
    assert!(err.to_string().starts_with("integer divide by zero"));
    // The store is still usable.
    assert_eq!(outer.call(&mut store, 1).unwrap(), 1);
}

const RECURSE: &str = r#"(module
    (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))"#;

#[test]
fn deep_recursion_traps_cleanly_and_store_stays_usable() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(&engine, RECURSE);
    let down = instance
        .get_typed_func::<i32, i32>(&mut store, "down")
        .unwrap();
    let err = down.call(&mut store, 1_000_000).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::StackOverflow));
    assert_eq!(err.as_trap().unwrap().message(), "call stack exhausted");
    assert_eq!(down.call(&mut store, 1000).unwrap(), 1000);
}

#[test]
fn deep_recursion_within_a_raised_limit_succeeds() {
    // The interpreter's guest frames live on the heap: a million of them
    // need no native stack, even on a test thread. (Compiled code's depth
    // is bounded by `max_wasm_stack` instead.)
    let engine = Engine::new(
        Config::new()
            .strategy(Strategy::Interpreter)
            .max_call_depth(2_000_000),
    );
    let (mut store, instance) = instantiate(&engine, RECURSE);
    let down = instance
        .get_typed_func::<i32, i32>(&mut store, "down")
        .unwrap();
    assert_eq!(down.call(&mut store, 1_000_000).unwrap(), 1_000_000);
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    let engine = Engine::new(Config::new().consume_fuel(true));
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module
            (func (export "spin") (loop (br 0)))
            (func (export "one") (result i32) (i32.const 1)))"#,
    );
    store.set_fuel(100_000).unwrap();
    let spin = instance
        .get_typed_func::<(), ()>(&mut store, "spin")
        .unwrap();
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::OutOfFuel));
    assert_eq!(err.as_trap().unwrap().message(), "all fuel consumed");
    store.set_fuel(10).unwrap();
    let one = instance
        .get_typed_func::<(), i32>(&mut store, "one")
        .unwrap();
    assert_eq!(one.call(&mut store, ()).unwrap(), 1);
    assert!(store.get_fuel().unwrap() < 10);
    // Without fuel enabled, setting it is an error.
    let mut plain = Store::new(&Engine::default(), ());
    assert!(plain.set_fuel(1).is_err());
}

#[test]
fn memory_grow_beyond_limit_returns_minus_one() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module
            (memory (export "mem") 1 3)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "size") (result i32) (memory.size)))"#,
    );
    let grow = instance
        .get_typed_func::<i32, i32>(&mut store, "grow")
        .unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1);
    assert_eq!(grow.call(&mut store, -1).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 2);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    let mem = instance.get_memory(&mut store, "mem").unwrap();
    assert_eq!(mem.size(&store), 3);
    assert!(mem.grow(&mut store, 1).is_err());
    // A memory without maximum stops at 4 GiB.
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module (memory 0)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let grow = instance
        .get_typed_func::<i32, i32>(&mut store, "grow")
        .unwrap();
    assert_eq!(grow.call(&mut store, 65537).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 2).unwrap(), 0);
}

#[test]
fn host_error_reaches_the_embedder() {
    #[derive(Debug)]
    struct Refused(u32);
    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "refused {}", self.0)
        }
    }
    impl std::error::Error for Refused {}

    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap("env", "check", |x: i32| -> Result<i32> {
            if x < 0 {
                Err(Error::host(Refused(7)))
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
            (func (export "run") (param i32) (result i32) (call $mid (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    let err = run.call(&mut store, -1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host);
    assert_eq!(err.downcast_ref::<Refused>().map(|r| r.0), Some(7));
    assert_eq!(run.call(&mut store, 1).unwrap(), 2);
}

#[test]
fn host_calls_back_into_wasm() {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .func_wrap(
            "env",
            "twice",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32> {
                let f = caller
                    .get_export("inc")
                    .and_then(Extern::into_func)
                    .ok_or_else(|| Error::msg("no inc"))?;
                let f = f.typed::<i32, i32>(&caller)?;
                let y = f.call(&mut caller, x)?;
                f.call(&mut caller, y)
            },
        )
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "twice" (func $twice (param i32) (result i32)))
            (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
            (func (export "run") (param i32) (result i32) (call $twice (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 7);
}

#[test]
fn linking_errors_are_unlinkable() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "f" (func (param i32))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::<()>::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unlinkable);
    assert!(err.to_string().starts_with("unknown import"), "{err}");
    linker.func_wrap("env", "f", |_: i64| {}).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unlinkable);
    assert!(
        err.to_string().starts_with("incompatible import type"),
        "{err}"
    );
    linker.allow_shadowing(true);
    linker.func_wrap("env", "f", |_: i32| {}).unwrap();
    linker.instantiate(&mut store, &module).unwrap();
}

#[test]
fn instantiation_trap_keeps_earlier_writes() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mem = Memory::new(&mut store, MemType::new(Limits { min: 1, max: None })).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker.define("env", "mem", mem).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (import "env" "mem" (memory 1))
            (data (i32.const 0) "ab")
            (data (i32.const 65535) "cd"))"#,
    )
    .unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(&mem.data(&store)[..2], b"ab");
}

#[test]
fn globals_tables_and_externrefs() {
    let engine = Engine::default();
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module
            (global $g (export "g") (mut i64) (i64.const 5))
            (table $t (export "t") 2 externref)
            (func (export "bump") (global.set $g (i64.add (global.get $g) (i64.const 1))))
            (func (export "put") (param externref) (table.set $t (i32.const 1) (local.get 0)))
            (func (export "take") (result externref) (table.get $t (i32.const 1))))"#,
    );
    let g = instance.get_global(&mut store, "g").unwrap();
    instance
        .get_typed_func::<(), ()>(&mut store, "bump")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(g.get(&store), Val::I64(6));
    g.set(&mut store, Val::I64(10)).unwrap();
    assert!(g.set(&mut store, Val::I32(10)).is_err());
    let r = ExternRef::new(&mut store, String::from("payload"));
    instance
        .get_typed_func::<Option<ExternRef>, ()>(&mut store, "put")
        .unwrap()
        .call(&mut store, Some(r))
        .unwrap();
    let back = instance
        .get_typed_func::<(), Option<ExternRef>>(&mut store, "take")
        .unwrap()
        .call(&mut store, ())
        .unwrap()
        .unwrap();
    assert_eq!(
        back.data(&store)
            .downcast_ref::<String>()
            .map(String::as_str),
        Some("payload")
    );
    let t = instance.get_table(&mut store, "t").unwrap();
    assert_eq!(t.size(&store), 2);
    assert_eq!(t.get(&store, 0), Some(Val::ExternRef(None)));
}

#[test]
fn module_is_send_sync_and_instantiates_many_times() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Module>();
    assert_send_sync::<Engine>();
    fn assert_send<T: Send>() {}
    assert_send::<Store<()>>();
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (global (export "g") (mut i32) (i32.const 0))
            (func (export "inc") (result i32)
                (global.set 0 (i32.add (global.get 0) (i32.const 1))) (global.get 0)))"#,
    )
    .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let module = module.clone();
            let engine = engine.clone();
            std::thread::spawn(move || {
                let mut store = Store::new(&engine, ());
                let i = Linker::new(&engine)
                    .instantiate(&mut store, &module)
                    .unwrap();
                let inc = i.get_typed_func::<(), i32>(&mut store, "inc").unwrap();
                (0..100).map(|_| inc.call(&mut store, ()).unwrap()).last()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(100));
    }
}

#[test]
fn eager_compilation_and_start_function() {
    let engine = Engine::new(Config::new().compilation_mode(CompilationMode::Eager));
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module (global (export "g") (mut i32) (i32.const 0))
            (func $start (global.set 0 (i32.const 9)))
            (start $start))"#,
    );
    let g = instance.get_global(&mut store, "g").unwrap();
    assert_eq!(g.get(&store), Val::I32(9));
}

/// Extended constant expressions (3.0): integer add, sub and mul over
/// constants and earlier immutable globals, wrapping as the instructions do,
/// in every tier.
#[test]
fn extended_constant_expressions_wrap() {
    let wat = r#"(module
        (global $a i32 (i32.const 7))
        (global $b i64 (i64.const -3))
        (global $x i32 (i32.mul (i32.sub (i32.add (global.get $a) (i32.const 0x7fffffff)) (i32.const 1)) (i32.const 3)))
        (global $y i64 (i64.mul (i64.sub (i64.add (global.get $b) (i64.const 10)) (i64.const 2)) (i64.const 5)))
        (func (export "x") (result i32) (global.get $x))
        (func (export "y") (result i64) (global.get $y)))"#;
    for strategy in [Strategy::Interpreter, Strategy::Compiler] {
        let engine = Engine::new(Config::new().features(Features::WASM3).strategy(strategy));
        let (mut store, instance) = instantiate(&engine, wat);
        let x = instance.get_typed_func::<(), i32>(&mut store, "x").unwrap();
        let y = instance.get_typed_func::<(), i64>(&mut store, "y").unwrap();
        // (7 + 0x7fffffff - 1) * 3 wraps to 0x8000000f.
        assert_eq!(x.call(&mut store, ()).unwrap(), 0x8000000f_u32 as i32);
        assert_eq!(y.call(&mut store, ()).unwrap(), 25);
    }
}

/// Exception references pass through parameters, results and globals
/// in every tier (the compiler passes them as it passes other references;
/// functions that throw or catch stay interpreted).
#[test]
fn exnref_values_run_in_every_tier() {
    let wat = r#"(module
        (global $g (export "g") (mut exnref) (ref.null exn))
        (func (export "id") (param exnref) (result exnref) (local.get 0))
        (func (export "is_null") (param exnref) (result i32) (ref.is_null (local.get 0))))"#;
    for strategy in [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto] {
        let engine = Engine::new(Config::new().features(Features::WASM3).strategy(strategy));
        let (mut store, instance) = instantiate(&engine, wat);
        let tag = Tag::new(&mut store, &TagType::new([])).unwrap();
        let exn = ExnRef::new(&mut store, tag, &[]).unwrap();
        let id = instance.get_func(&mut store, "id").unwrap();
        let mut out = [Val::I32(0)];
        id.call(&mut store, &[Val::ExnRef(Some(exn))], &mut out)
            .unwrap();
        let Val::ExnRef(Some(back)) = out[0] else {
            panic!("{strategy:?}: {:?}", out[0]);
        };
        assert_eq!(back.tag(&store).unwrap(), tag);
        id.call(&mut store, &[Val::ExnRef(None)], &mut out).unwrap();
        assert_eq!(out[0], Val::ExnRef(None));
        let is_null = instance
            .get_typed_func::<(), ()>(&mut store, "is_null")
            .map(|_| ())
            .unwrap_err();
        drop(is_null);
        let g = instance.get_global(&mut store, "g").unwrap();
        assert_eq!(g.get(&store), Val::ExnRef(None));
        g.set(&mut store, Val::ExnRef(Some(exn))).unwrap();
        let Val::ExnRef(Some(held)) = g.get(&store) else {
            panic!("{strategy:?}: not an exnref");
        };
        assert_eq!(held.tag(&store).unwrap(), tag);
    }
}

/// Custom descriptors validate but do not run: exact types, descriptor
/// clauses, the descriptor instructions and exact imports are refused when
/// the module is compiled, as `ErrorKind::Unsupported`.
#[test]
fn custom_descriptors_are_refused_at_compile_time() {
    let features = Features::from_name("3.0,custom-descriptors").expect("a feature set");
    let cases = [
        "(module (type $s (struct)) (func (param (ref null (exact $s)))))",
        "(module (type $s (struct)) (func (param anyref) (result i32) (ref.test (ref (exact $s)) (local.get 0))))",
        "(module (rec (type (descriptor 1) (struct)) (type (describes 0) (struct))))",
        "(module (type $f (func)) (import \"m\" \"f\" (func (exact (type $f)))))",
    ];
    for strategy in [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto] {
        let engine = Engine::new(Config::new().features(features).strategy(strategy));
        for wat in cases {
            match Module::new(&engine, wat) {
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Unsupported, "{wat}: {e}");
                    assert!(e.to_string().contains("unsupported: "), "{wat}: {e}");
                }
                Ok(_) => panic!("{wat}: compiled, but the engine cannot run it"),
            }
        }
    }
}

/// A 64-bit memory grows beyond 4 GiB (where the machine gives the
/// address space) and is addressed there; an address plus offset that
/// overflows 64 bits traps instead of wrapping; `memory.copy` moves bytes
/// between two memories in both directions.
#[test]
fn memory64_beyond_4gib_and_copy_between_memories() {
    let mut config = Config::default();
    config.features(Features::WASM3);
    let engine = Engine::new(&config);
    let (mut store, instance) = instantiate(
        &engine,
        r#"(module
            (memory $a i64 1)
            (memory $b 1 1)
            (func (export "grow") (param i64) (result i64) (memory.grow $a (local.get 0)))
            (func (export "store") (param i64 i64) (i64.store $a (local.get 0) (local.get 1)))
            (func (export "load") (param i64) (result i64) (i64.load $a (local.get 0)))
            (func (export "load_far") (param i64) (result i64)
                (i64.load $a offset=0xffff_ffff_ffff_fff0 (local.get 0)))
            (func (export "to_b") (param i64 i32 i32)
                (memory.copy $b $a (local.get 1) (local.get 0) (local.get 2)))
            (func (export "from_b") (param i64 i32 i32)
                (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
            (func (export "b8") (param i32) (result i32) (i32.load8_u $b (local.get 0))))"#,
    );
    let grow = instance
        .get_typed_func::<i64, i64>(&mut store, "grow")
        .unwrap();
    let store_fn = instance
        .get_typed_func::<(i64, i64), ()>(&mut store, "store")
        .unwrap();
    let load = instance
        .get_typed_func::<i64, i64>(&mut store, "load")
        .unwrap();
    let load_far = instance
        .get_typed_func::<i64, i64>(&mut store, "load_far")
        .unwrap();
    // 65,537 pages: 4 GiB and one page, reserved but mostly untouched.
    assert_eq!(grow.call(&mut store, 65536).unwrap(), 1);
    let high = (1i64 << 32) + 8;
    store_fn
        .call(&mut store, (high, 0x0102_0304_0506_0708))
        .unwrap();
    assert_eq!(load.call(&mut store, high).unwrap(), 0x0102_0304_0506_0708);
    let end = (65537i64 << 16) - 8;
    assert!(load.call(&mut store, end).is_ok());
    assert!(load.call(&mut store, end + 1).is_err());
    // 0x20 + 0xffff_ffff_ffff_fff0 overflows: out of bounds, not 0x10.
    let err = load_far.call(&mut store, 0x20).unwrap_err();
    assert!(
        err.to_string().contains("out of bounds memory access"),
        "{err}"
    );
    let to_b = instance
        .get_typed_func::<(i64, i32, i32), ()>(&mut store, "to_b")
        .unwrap();
    let from_b = instance
        .get_typed_func::<(i64, i32, i32), ()>(&mut store, "from_b")
        .unwrap();
    let b8 = instance
        .get_typed_func::<i32, i32>(&mut store, "b8")
        .unwrap();
    to_b.call(&mut store, (high, 100, 8)).unwrap();
    assert_eq!(b8.call(&mut store, 100).unwrap(), 8);
    assert_eq!(b8.call(&mut store, 107).unwrap(), 1);
    from_b.call(&mut store, (16, 100, 8)).unwrap();
    assert_eq!(load.call(&mut store, 16).unwrap(), 0x0102_0304_0506_0708);
    // Out of bounds in the 32-bit memory: nothing is copied.
    assert!(to_b.call(&mut store, (0, 65535, 2)).is_err());
}

/// `return_call` and `return_call_indirect` replace the caller's frame: a
/// 10,000,000-deep mutual tail recursion (far beyond the call depth limit)
/// completes in both tiers, and a tail call to a host function is a call
/// followed by a return.
#[test]
fn deep_mutual_tail_recursion_runs_in_constant_space() {
    for strategy in [Strategy::Interpreter, Strategy::Compiler] {
        let mut config = Config::default();
        config.features(Features::WASM3).strategy(strategy);
        let engine = Engine::new(&config);
        let module = Module::new(
            &engine,
            r#"(module
                (import "host" "twice" (func $twice (param i64) (result i64)))
                (type $t (func (param i64) (result i32)))
                (table 1 funcref)
                (elem (i32.const 0) $even)
                (func $even (export "even") (param i64) (result i32)
                    (if (result i32) (i64.eqz (local.get 0))
                        (then (i32.const 1))
                        (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
                (func $odd (param i64) (result i32)
                    (if (result i32) (i64.eqz (local.get 0))
                        (then (i32.const 0))
                        (else (return_call_indirect (type $t)
                            (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
                (func (export "host") (param i64) (result i64)
                    (return_call $twice (i64.add (local.get 0) (i64.const 1)))))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "twice", |x: i64| -> i64 { 2 * x })
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let even = instance
            .get_typed_func::<i64, i32>(&mut store, "even")
            .unwrap();
        assert_eq!(even.call(&mut store, 10_000_000).unwrap(), 1);
        assert_eq!(even.call(&mut store, 10_000_001).unwrap(), 0);
        let host = instance
            .get_typed_func::<i64, i64>(&mut store, "host")
            .unwrap();
        assert_eq!(host.call(&mut store, 20).unwrap(), 42);
    }
}

/// Typed function references: `return_call_ref` replaces the caller's
/// frame as `return_call` does (a 10,000,000-deep mutual tail recursion
/// through references completes), `call_ref` of null traps with "null
/// function reference", and `call_indirect` accepts a callee whose type is
/// a declared subtype of the expected one. Under every strategy (the
/// compiler declines these functions, which then run interpreted).
#[test]
fn typed_function_references() {
    for strategy in [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto] {
        let mut config = Config::default();
        config.features(Features::WASM3).strategy(strategy);
        let engine = Engine::new(&config);
        let module = Module::new(
            &engine,
            r#"(module
                (type $t (func (param i64) (result i32)))
                (type $super (sub (func (result i32))))
                (type $sub (sub $super (func (result i32))))
                (table 2 funcref)
                (elem (i32.const 0) $seven)
                (elem declare func $even $odd)
                (func $seven (type $sub) (i32.const 7))
                (func $even (export "even") (type $t)
                    (if (result i32) (i64.eqz (local.get 0))
                        (then (i32.const 1))
                        (else (return_call_ref $t (i64.sub (local.get 0) (i64.const 1))
                            (ref.func $odd)))))
                (func $odd (type $t)
                    (if (result i32) (i64.eqz (local.get 0))
                        (then (i32.const 0))
                        (else (return_call_ref $t (i64.sub (local.get 0) (i64.const 1))
                            (ref.func $even)))))
                (func (export "null") (result i32)
                    (call_ref $super (ref.null $super)))
                (func (export "sub") (param i32) (result i32)
                    (call_indirect (type $super) (local.get 0))))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let even = instance
            .get_typed_func::<i64, i32>(&mut store, "even")
            .unwrap();
        assert_eq!(even.call(&mut store, 10_000_000).unwrap(), 1);
        assert_eq!(even.call(&mut store, 10_000_001).unwrap(), 0);
        let null = instance
            .get_typed_func::<(), i32>(&mut store, "null")
            .unwrap();
        let err = null.call(&mut store, ()).unwrap_err();
        assert_eq!(err.trap_code(), Some(TrapCode::NullFunctionReference));
        let sub = instance
            .get_typed_func::<i32, i32>(&mut store, "sub")
            .unwrap();
        assert_eq!(sub.call(&mut store, 0).unwrap(), 7);
        let err = sub.call(&mut store, 1).unwrap_err();
        assert_eq!(err.trap_code(), Some(TrapCode::IndirectCallToNull));
    }
}

/// A host function that calls back into the Wasm function calling it,
/// forever: each round trip nests native frames, so it must end in "call
/// stack exhausted" (bounded by `max_wasm_stack` bytes) in every tier,
/// never in a host stack overflow; the store stays usable, also after a
/// host function panicked under Wasm frames.
#[test]
fn runaway_host_callbacks_trap_in_every_tier() {
    for strategy in [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto] {
        let engine = Engine::new(Config::new().strategy(strategy));
        let mut linker = Linker::<()>::new(&engine);
        linker
            .func_wrap(
                "env",
                "back",
                |mut caller: Caller<'_, ()>, x: i32| -> Result<i32> {
                    if x == 999_999 {
                        panic!("host panic");
                    }
                    let f = caller
                        .get_export("down")
                        .and_then(Extern::into_func)
                        .ok_or_else(|| Error::msg("no down"))?;
                    f.typed::<i32, i32>(&caller)?.call(&mut caller, x)
                },
            )
            .unwrap();
        let module = Module::new(
            &engine,
            r#"(module
                (import "env" "back" (func $back (param i32) (result i32)))
                (func (export "down") (param i32) (result i32)
                    (if (result i32) (i32.le_s (local.get 0) (i32.const 0))
                        (then (local.get 0))
                        (else (i32.add (i32.const 1)
                            (call $back (i32.sub (local.get 0) (i32.const 1))))))))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let down = instance
            .get_typed_func::<i32, i32>(&mut store, "down")
            .unwrap();
        assert_eq!(down.call(&mut store, 100).unwrap(), 100, "{strategy:?}");
        for _ in 0..2 {
            let err = down.call(&mut store, i32::MAX).unwrap_err();
            assert_eq!(
                err.trap_code(),
                Some(TrapCode::StackOverflow),
                "{strategy:?}"
            );
            assert_eq!(err.as_trap().unwrap().message(), "call stack exhausted");
        }
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            down.call(&mut store, 1_000_000)
        }));
        assert!(panicked.is_err(), "{strategy:?}");
        assert_eq!(down.call(&mut store, 100).unwrap(), 100, "{strategy:?}");
    }
}

/// `Module::new` on text points a validation error at the line and column
/// of the offending instruction or module field (1-based, as wabt counts),
/// where binary input gives a byte offset.
#[test]
fn text_validation_error_has_line_and_column() {
    let engine = Engine::default();
    let text = "(module (func (result i32)\n  i32.const 1\n    i64.eqz))";
    let Err(err) = Module::new(&engine, text) else {
        panic!("invalid module accepted");
    };
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(
        err.message().starts_with("type mismatch"),
        "{}",
        err.message()
    );
    assert!(err.message().ends_with("(at 3:5)"), "{}", err.message());
    let Err(err) = Module::new(&engine, "(module\n  (global i32 (i64.const 0)))") else {
        panic!("invalid module accepted");
    };
    assert!(err.message().ends_with("(at 2:16)"), "{}", err.message());
    // Errors about a module field point at the field.
    for (text, message, at) in [
        (
            "(module\n  (func $f)\n  (export \"a\" (func 0))\n   (export \"a\" (func 0)))",
            "duplicate export name",
            "(at 4:5)",
        ),
        (
            "(module\n (func)\n  (start 3))",
            "unknown function",
            "(at 3:4)",
        ),
        (
            "(module\n  (type (func))\n  (type (sub 0 (func))))",
            "sub type 1 has final super type 0",
            "(at 3:4)",
        ),
    ] {
        let Err(err) = Module::new(&engine, text) else {
            panic!("invalid module accepted: {text}");
        };
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(err.message().starts_with(message), "{}", err.message());
        assert!(err.message().ends_with(at), "{}", err.message());
    }
}
