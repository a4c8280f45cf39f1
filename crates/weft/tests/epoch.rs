//! Epoch interruption: another thread ends an infinite loop (and infinite
//! recursion through calls) by advancing the engine's epoch, in every
//! tier; the store stays usable; without a deadline nothing is
//! interrupted.

use std::time::Duration;
use weft::{Config, Engine, Linker, Module, Store, Strategy, TrapCode};

const TIERS: [Strategy; 3] = [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto];

const SPIN: &str = r#"(module
    (func (export "spin") (loop (br 0)))
    (func $rec (export "rec") (param i32) (result i32)
        (if (result i32) (local.get 0)
            (then (call $rec (i32.sub (local.get 0) (i32.const 1))))
            (else (i32.const 0))))
    (func (export "spin_calls")
        (loop (drop (call $rec (i32.const 10))) (br 0))))"#;

#[test]
fn another_thread_interrupts_an_infinite_loop_in_every_tier() -> weft::Result<()> {
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, SPIN)?;
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        for name in ["spin", "spin_calls"] {
            let f = instance.get_typed_func::<(), ()>(&mut store, name)?;
            store.set_epoch_deadline(1);
            let ticker = engine.clone();
            let timer = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(30));
                ticker.increment_epoch();
            });
            let e = f.call(&mut store, ()).unwrap_err();
            timer.join().unwrap();
            assert_eq!(
                e.trap_code(),
                Some(TrapCode::Interrupt),
                "{tier:?} {name}: {e}"
            );
            assert!(e.to_string().starts_with("interrupt"), "{e}");
        }
        // The store is still usable with a deadline far away.
        store.set_epoch_deadline(1_000);
        let rec = instance.get_typed_func::<i32, i32>(&mut store, "rec")?;
        assert_eq!(rec.call(&mut store, 100)?, 0, "{tier:?}");
    }
    Ok(())
}

#[test]
fn a_deadline_already_reached_interrupts_at_the_first_check() -> weft::Result<()> {
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, SPIN)?;
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let rec = instance.get_typed_func::<i32, i32>(&mut store, "rec")?;
        assert_eq!(rec.call(&mut store, 5)?, 0, "no deadline set: never");
        store.set_epoch_deadline(0);
        let e = rec.call(&mut store, 5).unwrap_err();
        assert_eq!(e.trap_code(), Some(TrapCode::Interrupt), "{tier:?}");
    }
    Ok(())
}
