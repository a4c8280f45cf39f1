//! The `Linker` conveniences wasmtime users reach for: shadowing rules,
//! `instantiate_pre`, `define_unknown_imports_as_traps`, `module` for
//! commands and reactors, `get_default`.

use weft::{Engine, Linker, Module, Store};

#[test]
fn defining_a_name_twice_is_an_error_unless_shadowing_is_allowed() -> weft::Result<()> {
    let engine = Engine::default();
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "f", || 1i32)?;
    let e = linker.func_wrap("env", "f", || 2i32).err().unwrap();
    assert!(e.to_string().contains("defined twice"), "{e}");

    linker.allow_shadowing(true);
    linker.func_wrap("env", "f", || 2i32)?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "f" (func $f (result i32)))
            (func (export "run") (result i32) (call $f)))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, ())?, 2, "the later definition");
    Ok(())
}

#[test]
fn instance_pre_instantiates_many_times() -> weft::Result<()> {
    let engine = Engine::default();
    let mut linker = Linker::<u32>::new(&engine);
    linker.func_wrap("env", "bump", |mut c: weft::Caller<'_, u32>| {
        *c.data_mut() += 1;
        *c.data()
    })?;
    let module = Module::new(
        &engine,
        r#"(module (import "env" "bump" (func $b (result i32)))
            (func (export "run") (result i32) (call $b)))"#,
    )?;
    let pre = linker.instantiate_pre(&module)?;
    let mut store = Store::new(&engine, 0u32);
    for expected in 1..=3 {
        let instance = pre.instantiate(&mut store)?;
        let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
        assert_eq!(run.call(&mut store, ())?, expected);
    }
    // Unknown imports fail at pre-instantiation already.
    let other = Module::new(&engine, r#"(module (import "env" "missing" (func)))"#)?;
    let e = linker.instantiate_pre(&other).err().unwrap();
    assert!(e.to_string().starts_with("unknown import"), "{e}");
    Ok(())
}

#[test]
fn unknown_imports_can_be_defined_as_traps() -> weft::Result<()> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "present" (func $p (result i32)))
            (import "env" "absent" (func $a (param i32) (result i32)))
            (func (export "ok") (result i32) (call $p))
            (func (export "bad") (result i32) (call $a (i32.const 1))))"#,
    )?;
    let mut linker = Linker::<()>::new(&engine);
    linker.func_wrap("env", "present", || 7i32)?;
    linker.define_unknown_imports_as_traps(&module)?;
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module)?;
    let ok = instance.get_typed_func::<(), i32>(&mut store, "ok")?;
    assert_eq!(ok.call(&mut store, ())?, 7, "defined imports are kept");
    let bad = instance.get_typed_func::<(), i32>(&mut store, "bad")?;
    let e = bad.call(&mut store, ()).unwrap_err();
    assert!(
        e.to_string().contains("`env`.`absent`"),
        "the error names the import: {e}"
    );
    Ok(())
}

#[test]
fn a_reactor_is_initialised_once_and_its_exports_shared() -> weft::Result<()> {
    let engine = Engine::default();
    let reactor = Module::new(
        &engine,
        r#"(module
            (global $n (mut i32) (i32.const 0))
            (func (export "_initialize") (global.set $n (i32.const 100)))
            (func (export "next") (result i32)
                (global.set $n (i32.add (global.get $n) (i32.const 1)))
                (global.get $n)))"#,
    )?;
    let user = Module::new(
        &engine,
        r#"(module (import "lib" "next" (func $next (result i32)))
            (func (export "run") (result i32) (call $next)))"#,
    )?;
    let mut linker = Linker::<()>::new(&engine);
    let mut store = Store::new(&engine, ());
    linker.module(&mut store, "lib", &reactor)?;
    let instance = linker.instantiate(&mut store, &user)?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, ())?, 101, "_initialize ran first");
    assert_eq!(run.call(&mut store, ())?, 102, "one shared instance");
    Ok(())
}

#[test]
fn a_command_gets_a_fresh_instance_per_call() -> weft::Result<()> {
    let engine = Engine::default();
    let command = Module::new(
        &engine,
        r#"(module
            (global $n (mut i32) (i32.const 0))
            (func (export "_start"))
            (func (export "next") (result i32)
                (global.set $n (i32.add (global.get $n) (i32.const 1)))
                (global.get $n)))"#,
    )?;
    let mut linker = Linker::<()>::new(&engine);
    let mut store = Store::new(&engine, ());
    linker.module(&mut store, "cmd", &command)?;
    let next = linker
        .get(&mut store, "cmd", "next")
        .and_then(|e| e.into_func())
        .unwrap();
    let next = next.typed::<(), i32>(&store)?;
    assert_eq!(next.call(&mut store, ())?, 1);
    assert_eq!(next.call(&mut store, ())?, 1, "a new instance each call");
    // The default export of a command is its `_start`.
    let default = linker.get_default(&mut store, "cmd")?;
    assert_eq!(default.ty(&store).params.len(), 0);
    default.call(&mut store, &[], &mut [])?;
    // A module name with nothing defined: a function that does nothing.
    linker
        .get_default(&mut store, "nothing")?
        .call(&mut store, &[], &mut [])?;
    Ok(())
}
