//! Backtrace frames' code offsets and DWARF source locations
//! (`FrameInfo::module_offset`, `func_offset`, `symbols`), in every
//! strategy, and `Module::frame_at`.

use weft::{Config, Engine, Linker, Module, Store, Strategy, TrapCode};

/// A C program built with `-g` (source and command in
/// crates/cli/tests/fixtures/trap_dwarf.c): `run(0)` executes
/// `unreachable` three calls deep, `run(1)` stores out of bounds there.
const FIXTURE: &[u8] = include_bytes!("../../cli/tests/fixtures/trap_dwarf.wasm");

/// Where each function's body starts (after its size) in the fixture.
const BODIES: [usize; 4] = [0x42, 0x70, 0xb5, 0xfa];

fn strategies() -> Vec<Strategy> {
    let mut s = vec![Strategy::Interpreter];
    if cfg!(all(feature = "cranelift", target_arch = "x86_64")) {
        s.extend([Strategy::Compiler, Strategy::Auto]);
    }
    s
}

fn run(config: &Config, arg: i32) -> weft::Error {
    let engine = Engine::new(config);
    let module = Module::new(&engine, FIXTURE).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    f.call(&mut store, arg).unwrap_err()
}

#[test]
fn frames_have_offsets_and_source_lines() {
    // (argument, trap, offset of the trapping instruction, its line and
    // column); the callers are at their calls.
    let cases = [
        (0, TrapCode::Unreachable, 0x6d, 19, 5),
        (1, TrapCode::MemoryOutOfBounds, 0x69, 17, 37),
    ];
    for strategy in strategies() {
        for (arg, code, at, line, column) in cases {
            let mut config = Config::new();
            config.strategy(strategy);
            let e = run(&config, arg);
            assert_eq!(e.trap_code(), Some(code), "{strategy:?}: {e}");
            let bt = e.backtrace();
            let offsets: Vec<_> = bt.iter().map(|f| f.module_offset).collect();
            assert_eq!(
                offsets,
                [Some(at), Some(0xa1), Some(0xe6), Some(0x11c)],
                "{strategy:?}: {e}"
            );
            for (f, body) in bt.iter().zip(BODIES) {
                assert_eq!(f.func_offset, Some(f.module_offset.unwrap() - body));
            }
            let lines: Vec<_> = bt
                .iter()
                .map(|f| {
                    let s = &f.symbols()[0];
                    (s.file().unwrap(), s.line().unwrap(), s.column().unwrap())
                })
                .collect();
            assert_eq!(
                lines,
                [
                    ("./trap_dwarf.c", line, column),
                    ("./trap_dwarf.c", 24, 5),
                    ("./trap_dwarf.c", 29, 5),
                    ("./trap_dwarf.c", 33, 5)
                ],
                "{strategy:?}"
            );
            assert_eq!(bt[1].symbols()[0].name(), Some("middle"));
            assert!(
                e.to_string()
                    .contains("  1: trap_dwarf.wasm!middle\n    at ./trap_dwarf.c:24:5\n"),
                "{e}"
            );
        }
    }
}

/// `Store::wasm_backtrace` from an epoch callback (at every function
/// entry) names each caller at its call, with the call's offset and
/// source line, in every strategy (a compiled function in the runtime
/// call that runs the callback, or a callee, has no offset).
#[test]
fn wasm_backtrace_has_callers_offsets_and_lines() {
    for strategy in strategies() {
        let mut config = Config::new();
        config.strategy(strategy).epoch_interruption(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, FIXTURE).unwrap();
        let mut store = Store::new(&engine, Vec::new());
        store.set_epoch_deadline(0);
        store.epoch_deadline_callback(|store| {
            let bt = store.wasm_backtrace();
            store.data_mut().push(bt);
            Ok(weft::UpdateDeadline::Continue(0))
        });
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance
            .get_typed_func::<i32, i32>(&mut store, "run")
            .unwrap();
        // Under `Auto` the first call compiles each function as it is
        // called, through the runtime, whose frames hide where their
        // callers are; the second runs natively throughout.
        f.call(&mut store, 0).unwrap_err();
        store.data_mut().clear();
        f.call(&mut store, 0).unwrap_err();
        // The deepest stack seen: innermost's, called from middle, outer
        // and run.
        let bt = store
            .data()
            .iter()
            .max_by_key(|bt| bt.len())
            .expect("callbacks ran");
        let names: Vec<_> = bt.iter().map(|f| f.func_name.as_deref()).collect();
        assert_eq!(
            names,
            [
                Some("innermost"),
                Some("middle"),
                Some("outer"),
                Some("run")
            ],
            "{strategy:?}"
        );
        let callers: Vec<_> = bt[1..].iter().map(|f| f.module_offset).collect();
        assert_eq!(
            callers,
            [Some(0xa1), Some(0xe6), Some(0x11c)],
            "{strategy:?}"
        );
        let lines: Vec<_> = bt[1..]
            .iter()
            .map(|f| f.symbols()[0].line().unwrap())
            .collect();
        assert_eq!(lines, [24, 29, 33], "{strategy:?}");
        // The interpreter also knows where the innermost function is: at
        // its entry.
        if strategy == Strategy::Interpreter {
            let at = bt[0].func_offset.expect("an offset");
            assert!(at < BODIES[1] - BODIES[0], "{at}");
        }
    }
}

#[test]
fn details_can_be_turned_off() {
    let mut config = Config::new();
    config
        .strategy(Strategy::Interpreter)
        .wasm_backtrace_details(false);
    let e = run(&config, 0);
    let bt = e.backtrace();
    assert_eq!(bt[0].module_offset, Some(0x6d));
    assert!(bt.iter().all(|f| f.symbols().is_empty()));
    assert!(!e.to_string().contains("    at "), "{e}");
}

#[test]
fn frame_at_names_function_and_line() {
    let engine = Engine::default();
    let module = Module::new(&engine, FIXTURE).unwrap();
    let f = module.frame_at(0xa1).unwrap();
    assert_eq!((f.func_index, f.func_name.as_deref()), (1, Some("middle")));
    assert_eq!(
        (f.module_offset, f.func_offset),
        (Some(0xa1), Some(0xa1 - 0x70))
    );
    assert_eq!(f.symbols()[0].line(), Some(24));
    // Section headers and the bytes between bodies are no function's.
    assert!(module.frame_at(0x10).is_none());
    assert!(module.frame_at(FIXTURE.len()).is_none());
}

#[test]
fn text_modules_have_no_offsets() {
    for strategy in strategies() {
        let mut config = Config::new();
        config.strategy(strategy);
        let engine = Engine::new(&config);
        let module = Module::new(
            &engine,
            r#"(module (func $f (unreachable)) (func (export "g") (call $f)))"#,
        )
        .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let g = instance.get_typed_func::<(), ()>(&mut store, "g").unwrap();
        let e = g.call(&mut store, ()).unwrap_err();
        let bt = e.backtrace();
        assert_eq!(bt.len(), 2, "{strategy:?}");
        assert!(bt
            .iter()
            .all(|f| f.module_offset.is_none() && f.symbols().is_empty()));
        assert_eq!(bt[0].func_name.as_deref(), Some("f"));
    }
}
