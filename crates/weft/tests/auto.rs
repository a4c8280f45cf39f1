//! `Strategy::Auto` through the embedding API: nothing is compiled when the
//! module is created, a function the compiler covers is compiled on its
//! first call (once, also when several threads call it), the others stay
//! interpreted, and compiled callers reach a function compiled after them
//! natively. With parallel compilation (the default) the other cores
//! compile the functions ahead of their calls.

use weft::*;

/// `Auto`, each function compiled on its first call only (no background
/// compilation), so that the tests see when.
fn engine() -> Engine {
    Engine::new(
        Config::new()
            .strategy(Strategy::Auto)
            .parallel_compilation(false)
            .cranelift_debug_verifier(true),
    )
}

/// A store of `engine` with an instance of `module`, which imports nothing.
fn instantiate(engine: &Engine, module: &Module) -> (Store<()>, Instance) {
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine).instantiate(&mut store, module).unwrap();
    (store, instance)
}

const CHAIN: &str = r#"(module
    (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
    (func $mid (export "mid") (param i32) (result i32) (i32.add (call $leaf (local.get 0)) (i32.const 1)))
    (func $never (export "never") (result i32) (i32.const 9))
    (func $gc (export "gc") (param i32) (result i32)
        (i31.get_s (ref.i31 (local.get 0)))))"#;

#[test]
fn a_function_is_compiled_on_its_first_call_only() {
    let engine = engine();
    let module = Module::new(&engine, CHAIN).unwrap();
    assert_eq!(module.compiled_functions(), Some((0, vec![])));
    let (mut store, instance) = instantiate(&engine, &module);
    assert_eq!(module.compiled_functions(), Some((0, vec![])));
    let mid = instance
        .get_typed_func::<i32, i32>(&mut store, "mid")
        .unwrap();
    assert_eq!(mid.call(&mut store, 5).unwrap(), 16);
    // $mid, then $leaf from compiled $mid; $never not.
    assert_eq!(module.compiled_functions(), Some((2, vec![])));
    assert_eq!(mid.call(&mut store, 6).unwrap(), 19);
    assert_eq!(module.compiled_functions(), Some((2, vec![])));
    // A function the compiler declines is interpreted.
    let gc = instance
        .get_typed_func::<i32, i32>(&mut store, "gc")
        .unwrap();
    assert_eq!(gc.call(&mut store, 7).unwrap(), 7);
    let (compiled, declined) = module.compiled_functions().unwrap();
    assert_eq!((compiled, declined.len()), (2, 1));
    assert_eq!(declined[0].0, 3);
}

/// With parallel compilation, functions no call has reached get compiled
/// in the background once a first call has been made, where the machine
/// has a core to spare (on one core, only called functions are), and the
/// results are the same.
#[test]
fn functions_are_compiled_ahead_in_the_background() {
    let engine = Engine::new(Config::new().strategy(Strategy::Auto));
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        let module = Module::new(&engine, CHAIN).unwrap();
        let (mut store, instance) = instantiate(&engine, &module);
        let mid = instance
            .get_typed_func::<i32, i32>(&mut store, "mid")
            .unwrap();
        assert_eq!(mid.call(&mut store, 5).unwrap(), 16);
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(module.compiled_functions(), Some((2, vec![])));
        return;
    }
    let module = Module::new(&engine, CHAIN).unwrap();
    // Nothing before the first call.
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(module.compiled_functions(), Some((0, vec![])));
    let (mut store, instance) = instantiate(&engine, &module);
    let mid = instance
        .get_typed_func::<i32, i32>(&mut store, "mid")
        .unwrap();
    assert_eq!(mid.call(&mut store, 5).unwrap(), 16);
    // Then $never is compiled and $gc declined without a call.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while module.compiled_functions().map(|(n, d)| (n, d.len())) != Some((3, 1)) {
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            module.compiled_functions()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let never = instance
        .get_typed_func::<(), i32>(&mut store, "never")
        .unwrap();
    assert_eq!(never.call(&mut store, ()).unwrap(), 9);
    let gc = instance
        .get_typed_func::<i32, i32>(&mut store, "gc")
        .unwrap();
    assert_eq!(gc.call(&mut store, 7).unwrap(), 7);
    assert_eq!(module.compiled_functions().map(|(n, _)| n), Some(3));
}

#[test]
fn threads_sharing_a_module_compile_each_function_once() {
    let engine = engine();
    let module = Module::new(&engine, CHAIN).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (engine, module) = (engine.clone(), module.clone());
            std::thread::spawn(move || {
                let (mut store, instance) = instantiate(&engine, &module);
                let mid = instance
                    .get_typed_func::<i32, i32>(&mut store, "mid")
                    .unwrap();
                (0..1000)
                    .map(|i| mid.call(&mut store, i + t).unwrap())
                    .sum::<i32>()
            })
        })
        .collect();
    for (t, h) in threads.into_iter().enumerate() {
        let t = t as i32;
        let expected: i32 = (0..1000).map(|i| 3 * (i + t) + 1).sum();
        assert_eq!(h.join().unwrap(), expected);
    }
    assert_eq!(module.compiled_functions(), Some((2, vec![])));
}

/// Deep recursion on a function's very first call: its recursive calls
/// must be native (through the runtime, each would nest a runtime frame,
/// and a few hundred of those trap).
#[test]
fn recursion_on_the_first_call_is_native() {
    let engine = engine();
    let module = Module::new(
        &engine,
        r#"(module
            (func $count (export "count") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 0))
                    (else (i32.add (i32.const 1)
                        (call $count (i32.sub (local.get 0) (i32.const 1)))))))
            (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                    (then (i32.const 0))
                    (else (i32.add (i32.const 2)
                        (call $count (i32.sub (local.get 0) (i32.const 1))))))))"#,
    )
    .unwrap();
    let (mut store, instance) = instantiate(&engine, &module);
    // $down (compiled first) calls $count, not yet compiled.
    let down = instance
        .get_typed_func::<i32, i32>(&mut store, "down")
        .unwrap();
    assert_eq!(down.call(&mut store, 5000).unwrap(), 5001);
    let count = instance
        .get_typed_func::<i32, i32>(&mut store, "count")
        .unwrap();
    for _ in 0..2 {
        let err = count.call(&mut store, 1_000_000).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), TrapCode::StackOverflow);
        assert_eq!(trap.message(), "call stack exhausted");
        assert_eq!(trap.backtrace()[0].func_name.as_deref(), Some("count"));
    }
    assert_eq!(count.call(&mut store, 1000).unwrap(), 1000);
}

/// A call_indirect to a function not compiled yet, and an import from
/// another instance compiled later.
#[test]
fn indirect_and_imported_callees_compiled_later() {
    let engine = engine();
    let lib = Module::new(
        &engine,
        r#"(module
            (func $sq (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
            (func $neg (export "neg") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0))))"#,
    )
    .unwrap();
    let main = Module::new(
        &engine,
        r#"(module
            (import "lib" "sq" (func $sq (param i32) (result i32)))
            (import "lib" "neg" (func $neg (param i32) (result i32)))
            (type $t (func (param i32) (result i32)))
            (table funcref (elem $sq $neg))
            (func (export "run") (param i32 i32) (result i32)
                (i32.add (call $sq (local.get 0))
                    (call_indirect (type $t) (local.get 0) (local.get 1)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let lib_instance = linker.instantiate(&mut store, &lib).unwrap();
    linker.instance(&mut store, "lib", lib_instance).unwrap();
    let instance = linker.instantiate(&mut store, &main).unwrap();
    let run = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "run")
        .unwrap();
    for _ in 0..3 {
        assert_eq!(run.call(&mut store, (4, 0)).unwrap(), 32);
        assert_eq!(run.call(&mut store, (4, 1)).unwrap(), 12);
    }
    assert_eq!(lib.compiled_functions(), Some((2, vec![])));
    let err = run.call(&mut store, (4, 2)).unwrap_err();
    assert_eq!(err.trap_code(), Some(TrapCode::UndefinedElement));
}
