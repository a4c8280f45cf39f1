//! The handlers must not grow the native stack as they run: in optimized
//! builds each one ends in a tail call of the next, which LLVM must compile
//! to a jump (see `crates/weft/src/interp/exec.rs`). A handler that keeps
//! something on the native stack across its dispatch turns that jump into a
//! call, and every instruction it executes then leaks a stack frame.
//!
//! This test runs a loop of tens of millions of instructions of many kinds
//! (integer and float arithmetic, the fused forms, loads and stores, select,
//! `br_table`, calls, `call_indirect`, SIMD with a shuffle, float rounding
//! that calls into libm) on a thread with a 256 KiB stack. A leak of even
//! 8 bytes per instruction would need tens of MiB or more, so the thread would
//! overflow its stack and the test process would die.

use weft::{Engine, Instance, Module, Store, TypedFunc};

const WAT: &str = r#"
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $inc $dec)
  (type $un (func (param i32) (result i32)))
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func $dec (type $un) (i32.sub (local.get 0) (i32.const 1)))
  (func $mix (param i32 i32) (result i32)
    (i32.xor (i32.rotl (local.get 0) (i32.const 5)) (local.get 1)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $f f64) (local $g f32) (local $v v128)
    (local.set $f (f64.const 1.5))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; integer pairs, a computed address, a load pair and a store pair
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $i)))
        (i32.store (i32.add (i32.and (local.get $i) (i32.const 1020)) (i32.const 16))
                   (i32.xor (local.get $acc) (local.get $i)))
        (local.set $acc (i32.add (i32.load (i32.and (local.get $acc) (i32.const 1020)))
                                 (local.get $acc)))
        ;; f64 chain through the float accumulator, f32 rounding (libm)
        (local.set $f (f64.add (f64.mul (local.get $f) (f64.const 0.5)) (f64.const 1.25)))
        (local.set $g (f32.nearest (f32.convert_i32_s (local.get $acc))))
        (local.set $acc (i32.add (local.get $acc) (i32.trunc_sat_f32_s (local.get $g))))
        ;; select, test-and-select
        (local.set $acc (select (local.get $acc) (i32.const 7)
                                (i32.eqz (i32.and (local.get $i) (i32.const 3)))))
        ;; br_table
        (block $b2 (block $b1 (block $b0
          (br_table $b0 $b1 $b2 (i32.and (local.get $i) (i32.const 3))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 3))) (br $b2))
          (local.set $acc (i32.sub (local.get $acc) (i32.const 2))))
        ;; calls
        (local.set $acc (call $mix (local.get $acc) (local.get $i)))
        (local.set $acc (call_indirect (type $un) (local.get $acc)
                                        (i32.and (local.get $i) (i32.const 1))))
        ;; SIMD, with a shuffle (a helper call in the handler)
        (local.set $v (i8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14
                        (i32x4.add (local.get $v) (i32x4.splat (local.get $acc)))
                        (local.get $v)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (i32.add (local.get $acc) (i32x4.extract_lane 0 (local.get $v)))
             (i32.trunc_sat_f64_s (local.get $f))))
)
"#;

/// Loop iterations: each executes a few dozen instructions.
const ITERATIONS: i32 = if cfg!(debug_assertions) {
    200_000
} else {
    1_000_000
};

/// `run(n)` in a new instance of `module` (the loop writes memory, so
/// every run starts from the same state).
fn run(engine: &Engine, module: &Module, n: i32) -> i32 {
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, module, &[]).expect("instantiates");
    let run: TypedFunc<i32, i32> = instance
        .get_typed_func(&mut store, "run")
        .expect("exported");
    run.call(&mut store, n).expect("runs")
}

#[test]
fn handlers_do_not_grow_the_native_stack() {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).expect("the module is valid");
    // The reference: a short run on this thread, whose stack is large.
    let small = run(&engine, &module, 1_000);
    let (small_again, big) = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            (
                run(&engine, &module, 1_000),
                run(&engine, &module, ITERATIONS),
            )
        })
        .expect("spawn a thread")
        .join()
        .expect("the thread finished");
    assert_eq!(small, small_again);
    // The loop's result depends on every iteration; it differs from the
    // short run's (a check that the long run really ran).
    assert_ne!(big, small);
}

/// A loop written as tail calls, through every tail call instruction and
/// both paths of each: `return_call_indirect`, `return_call_ref` and
/// `return_call` to callees with at most four parameter slots and few
/// locals (the fast paths), and `return_call` to a callee with five
/// parameters and to one with twenty locals (the general path).
const TAIL_WAT: &str = r#"
(module
  (type $t (func (param i32 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $a $b)
  (elem declare func $c)
  (func $a (type $t)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_indirect (type $t)
        (i32.sub (local.get 0) (i32.const 1))
        (i32.add (i32.mul (local.get 1) (i32.const 31)) (local.get 0))
        (i32.const 1)))))
  (func $b (type $t)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $t
        (i32.sub (local.get 0) (i32.const 1))
        (i32.xor (local.get 1) (local.get 0))
        (ref.func $c)))))
  (func $c (type $t)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $d
        (i32.sub (local.get 0) (i32.const 1))
        (local.get 1) (local.get 0) (i32.const 3) (i32.const 5)))))
  (func $d (param i32 i32 i32 i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $e
        (i32.sub (local.get 0) (i32.const 1))
        (i32.sub (i32.add (local.get 1) (i32.mul (local.get 2) (local.get 3)))
                 (local.get 4))))))
  (func $e (type $t)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $a
        (i32.sub (local.get 0) (i32.const 1))
        (i32.add (i32.rotl (local.get 1) (i32.const 1))
                 (i32.wrap_i64 (local.get 21)))))))
  (func (export "run") (param $n i32) (result i32)
    (call $a (local.get $n) (i32.const 1))))
"#;

/// What `TAIL_WAT`'s `run(n)` returns, computed step by step.
fn tail_expected(mut n: i32) -> i32 {
    let (mut acc, mut x, mut f) = (1i32, 0i32, 0);
    while n != 0 {
        match f {
            0 => acc = acc.wrapping_mul(31).wrapping_add(n),
            1 => acc ^= n,
            2 => x = n,
            3 => acc = acc.wrapping_add(x.wrapping_mul(3)).wrapping_sub(5),
            _ => acc = acc.rotate_left(1),
        }
        n -= 1;
        f = (f + 1) % 5;
    }
    acc
}

#[test]
fn tail_calls_do_not_grow_the_native_stack() {
    let mut config = weft::Config::default();
    config.features(weft::Features::WASM3);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, TAIL_WAT).expect("the module is valid");
    let tail = |engine: &Engine, module: &Module, n: i32| {
        let mut store = Store::new(engine, ());
        let instance = Instance::new(&mut store, module, &[]).expect("instantiates");
        let run: TypedFunc<i32, i32> = instance
            .get_typed_func(&mut store, "run")
            .expect("exported");
        run.call(&mut store, n).expect("runs")
    };
    for n in [0, 1, 2, 3, 4, 5, 6, 1_000] {
        assert_eq!(tail(&engine, &module, n), tail_expected(n), "run({n})");
    }
    let big = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || tail(&engine, &module, ITERATIONS * 5))
        .expect("spawn a thread")
        .join()
        .expect("the thread finished");
    assert_eq!(big, tail_expected(ITERATIONS * 5));
}
