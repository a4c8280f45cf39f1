//! Hello world of embedding: compile a module from the text format,
//! instantiate it, and call an export.
//!
//! `cargo run -p weft --example hello`

use weft::{Engine, Linker, Module, Store};

fn main() -> weft::Result<()> {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func $fib (export "fib") (param $n i32) (result i32)
                (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
                    (then (local.get $n))
                    (else (i32.add
                        (call $fib (i32.sub (local.get $n) (i32.const 1)))
                        (call $fib (i32.sub (local.get $n) (i32.const 2))))))))"#,
    )?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let fib = instance.get_typed_func::<i32, i32>(&mut store, "fib")?;
    for n in [0, 1, 10, 25] {
        println!("fib({n}) = {}", fib.call(&mut store, n)?);
    }
    Ok(())
}
