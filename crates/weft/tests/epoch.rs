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

/// A loop that keeps many values live (integers, floats, a vector) across
/// its epoch check, and folds them into one result.
const LIVE: &str = r#"(module
    (func (export "mix") (param $n i32) (result f64)
        (local $a i32) (local $b i32) (local $c i64) (local $d i64)
        (local $e f64) (local $f f64) (local $g f64) (local $h f64)
        (local $k f32) (local $v v128)
        (local.set $e (f64.const 1.5))
        (local.set $f (f64.const -2.25))
        (local.set $v (v128.const f64x2 0.5 0.25))
        (loop $l
            (local.set $a (i32.add (local.get $a) (local.get $n)))
            (local.set $b (i32.xor (local.get $b) (i32.mul (local.get $a) (i32.const 31))))
            (local.set $c (i64.add (local.get $c) (i64.extend_i32_u (local.get $b))))
            (local.set $d (i64.rotl (i64.xor (local.get $d) (local.get $c)) (i64.const 7)))
            (local.set $e (f64.add (f64.mul (local.get $e) (f64.const 0.999)) (f64.convert_i32_s (local.get $n))))
            (local.set $f (f64.sub (local.get $f) (f64.div (local.get $e) (f64.const 3.0))))
            (local.set $g (f64.add (local.get $g) (f64.mul (local.get $e) (local.get $f))))
            (local.set $h (f64.max (local.get $h) (f64.sqrt (f64.abs (local.get $g)))))
            (local.set $k (f32.add (local.get $k) (f32.demote_f64 (local.get $h))))
            (local.set $v (f64x2.add (f64x2.mul (local.get $v) (f64x2.splat (f64.const 1.0001))) (f64x2.splat (local.get $f))))
            (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (f64.add
            (f64.add
                (f64.add (f64.convert_i32_s (local.get $a)) (f64.convert_i32_s (local.get $b)))
                (f64.add (f64.convert_i64_s (local.get $c)) (f64.convert_i64_s (local.get $d))))
            (f64.add
                (f64.add (f64.add (local.get $e) (local.get $f)) (f64.add (local.get $g) (local.get $h)))
                (f64.add (f64.promote_f32 (local.get $k))
                    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))))))"#;

#[test]
fn a_deadline_callback_at_every_check_leaves_the_values_of_the_loop_intact() -> weft::Result<()> {
    // The result without epoch interruption, in the interpreter.
    let engine = Engine::new(Config::new().strategy(Strategy::Interpreter));
    let module = Module::new(&engine, LIVE)?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let mix = instance.get_typed_func::<i32, f64>(&mut store, "mix")?;
    let expected = mix.call(&mut store, 1000)?;
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, LIVE)?;
        let mut store = Store::new(&engine, 0u64);
        // Reached at every check; the callback does float work of its
        // own, so that registers it may use change.
        store.set_epoch_deadline(0);
        store.epoch_deadline_callback(|store| {
            let x: f64 = (1..40).map(|i| f64::from(i).sqrt()).sum();
            *store.data_mut() += u64::from(x > 1.0);
            Ok(weft::UpdateDeadline::Continue(0))
        });
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let mix = instance.get_typed_func::<i32, f64>(&mut store, "mix")?;
        let got = mix.call(&mut store, 1000)?;
        assert_eq!(
            got.to_bits(),
            expected.to_bits(),
            "{tier:?}: {got} != {expected}"
        );
        // The function's entry, 1000 iterations, after the loop.
        assert_eq!(*store.data(), 1002, "{tier:?}");
    }
    Ok(())
}
