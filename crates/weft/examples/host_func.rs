//! A host function: the guest passes a pointer and a length into its own
//! memory; the host reads the string through the `Caller` and counts the
//! calls in the store's host state.
//!
//! `cargo run -p weft --example host_func`

use weft::{Caller, Engine, Error, Extern, Linker, Module, Store};

/// The host's state, owned by the store.
#[derive(Default)]
struct Host {
    printed: usize,
}

fn main() -> weft::Result<()> {
    let engine = Engine::default();
    let mut linker = Linker::<Host>::new(&engine);
    linker.func_wrap(
        "host",
        "print",
        |mut caller: Caller<'_, Host>, ptr: u32, len: u32| -> weft::Result<()> {
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .ok_or_else(|| Error::msg("the module exports no memory"))?;
            let bytes = memory
                .data(&caller)
                .get(ptr as usize..ptr as usize + len as usize)
                .ok_or_else(|| Error::msg("string out of bounds"))?;
            println!("guest says: {}", String::from_utf8_lossy(bytes));
            caller.data_mut().printed += 1;
            Ok(())
        },
    )?;

    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "print" (func $print (param i32 i32)))
            (memory (export "memory") 1)
            (data (i32.const 8) "Hello from WebAssembly!")
            (func (export "run") (param $times i32)
                (loop $again
                    (call $print (i32.const 8) (i32.const 23))
                    (br_if $again (local.tee $times (i32.sub (local.get $times) (i32.const 1)))))))"#,
    )?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<i32, ()>(&mut store, "run")?;
    run.call(&mut store, 3)?;
    println!("the host printed {} lines", store.data().printed);
    Ok(())
}
