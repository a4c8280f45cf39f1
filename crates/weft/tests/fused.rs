//! The interpreter's fused instructions against wasmi 2.x.
//!
//! The translator turns frequent instruction sequences into single internal
//! instructions (loop rotation, `Pair`, `LoadPair`, `StorePair`,
//! load-and-jump, test-and-select, `Move2`, constant locals folded into the
//! frame's initial values, `br_table` through the accumulator, f64 values in
//! their own accumulator). Random modules rarely contain these exact shapes,
//! so this test writes them out (and the shapes next to them that must
//! not fuse, such as a v128 load of a computed address): each exported function is called with every
//! combination of a set of interesting arguments (zero, small values, page
//! boundaries, out-of-bounds addresses, sign bits) in both engines, and the
//! results, or the fact of a trap, must agree.

use weft::{Engine, Instance, Module, Store, Val};

const WAT: &str = r#"
(module
  (memory 1)
  (data (i32.const 0) "\01\00\02\00\00\03\ff\80\7f\00\00\00\05\06\07\08")
  (table 4 funcref)
  (elem (i32.const 0) $t0 $t1 $t2 $t3)
  (type $bin (func (param i32 i32) (result i32)))
  (func $t0 (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $t1 (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $t2 (type $bin) (i32.mul (local.get 0) (local.get 1)))
  (func $t3 (type $bin) (i32.xor (local.get 0) (local.get 1)))

  ;; test-and-select, i64 and i32
  (func (export "collatz_step") (param i32 i32 i32) (result i64)
    (local $x i64) (local $m i64)
    (local.set $x (i64.extend_i32_u (local.get 0)))
    (local.set $m (i64.extend_i32_u (local.get 1)))
    (select (i64.shr_u (local.get $x) (i64.const 1))
            (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.const 1))
            (i64.eqz (i64.and (local.get $x) (local.get $m)))))
  (func (export "test_select") (param i32 i32 i32) (result i32)
    (select (local.get 2) (i32.const 20) (i32.eqz (i32.and (local.get 0) (local.get 1)))))
  (func (export "cmp_select") (param i32 i32 i32) (result i32)
    (select (local.get 2) (local.get 0) (i32.lt_u (local.get 0) (local.get 1))))

  ;; Pair: dependent binary operators
  (func (export "pairs") (param i32 i32 i32) (result i32)
    (local $t i32)
    (local.set $t (i32.add (i32.mul (local.get 0) (local.get 1)) (local.get 2)))
    (local.set $t (i32.xor (local.get $t) (i32.shr_u (local.get $t) (i32.const 7))))
    (local.set $t (i32.add (local.get 1) (i32.shl (local.get $t) (i32.const 3))))
    (local.set $t (i32.xor (i32.rotl (local.get $t) (local.get 2)) (local.get 0)))
    (i32.or (i32.and (i32.xor (local.get $t) (local.get 1)) (local.get 2))
            (i32.shl (local.get 0) (i32.const 1))))
  (func (export "pairs64") (param i32 i32 i32) (result i64)
    (local $x i64)
    (local.set $x (i64.add (i64.extend_i32_u (local.get 0)) (i64.const 0x9e3779b97f4a7c15)))
    (local.set $x (i64.mul (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 30)))
                           (i64.const 0xbf58476d1ce4e5b9)))
    (i64.xor (i64.rotl (local.get $x) (i64.extend_i32_u (local.get 1)))
             (i64.add (i64.mul (local.get $x) (i64.const 5)) (i64.extend_i32_s (local.get 2)))))
  (func (export "pairs_f64") (param i32 i32 i32) (result i64)
    (local $a f64) (local $b f64)
    (local.set $a (f64.convert_i32_s (local.get 0)))
    (local.set $b (f64.convert_i32_u (local.get 1)))
    (i64.reinterpret_f64
      (f64.sqrt (f64.add (f64.mul (local.get $a) (local.get $a))
                         (f64.mul (f64.sub (local.get $b) (f64.const 0.5))
                                  (f64.convert_i32_s (local.get 2)))))))

  ;; LoadPair, StorePair, load-and-jump (addresses in and out of bounds)
  (func (export "load_pair") (param i32 i32 i32) (result i32)
    (i32.add
      (i32.mul (i32.load16_s (local.get 0)) (local.get 1))
      (i32.xor (i32.load8_u offset=3 (i32.add (local.get 0) (local.get 2))) (local.get 2))))
  (func (export "load_pair_f64") (param i32 i32 i32) (result i64)
    (i64.reinterpret_f64
      (f64.add (f64.load (local.get 0)) (f64.convert_i32_s (local.get 1)))))
  (func (export "store_pair") (param i32 i32 i32) (result i32)
    (i32.store (local.get 0) (i32.xor (local.get 1) (local.get 2)))
    (i32.store8 offset=1 (local.get 0) (i32.add (local.get 1) (local.get 2)))
    (f64.store offset=8 (local.get 0)
      (f64.mul (f64.convert_i32_s (local.get 1)) (f64.convert_i32_s (local.get 2))))
    (i32.add (i32.load (local.get 0)) (i32.wrap_i64 (i64.load offset=8 (local.get 0)))))
  (func (export "load_jump") (param i32 i32 i32) (result i32)
    (if (i32.load8_u (i32.add (local.get 0) (local.get 1)))
      (then (return (i32.const 1))))
    (if (i32.eqz (i32.load (local.get 0)))
      (then (return (i32.const 2))))
    (block $b
      (br_if $b (i32.load offset=4 (local.get 2)))
      (return (i32.const 3)))
    (i32.const 4))
  (func (export "scan") (param i32 i32 i32) (result i32)
    ;; count non-zero bytes from address p on, at most n (a rotated loop
    ;; whose exit test is a load-and-jump)
    (local $c i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (i32.load8_u (local.get 0))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $c) (i32.and (local.get 1) (i32.const 31))))
        (br $l)))
    (local.get $c))
  (func (export "skip_bytes") (param i32 i32 i32) (result i32)
    ;; advance p while the byte at p + 1 is not zero (a do-while loop
    ;; whose backward branch is a load-and-jump), at most 20 bytes
    (loop $l
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.and (i32.lt_u (local.get 0) (i32.const 20))
                         (i32.ne (i32.load8_u (local.get 0)) (i32.const 0))))
      (br_if $l (i32.load8_u offset=20 (local.get 0))))
    (local.get 0))

  (func (export "tee_address") (param i32 i32 i32) (result i32)
    (local $p i32) (local $s i32)
    (local.set $s (i32.load8_u (local.tee $p (i32.add (local.get 0) (local.get 1)))))
    (local.set $s (i32.add (local.get $s)
      (i32.load16_u offset=2 (local.tee $p (i32.add (local.get $p) (local.get 2))))))
    (i32.add (local.get $s) (i32.mul (local.get $p) (i32.const 3))))
  (func (export "v128_address") (param i32 i32 i32) (result i32)
    (i32x4.extract_lane 1 (v128.load (i32.add (local.get 0) (local.get 1)))))

  ;; loops: rotation with the add fused into the exit test; a constant
  ;; local.set inside a loop (not an initial value); outside one (is one)
  (func (export "sum_to") (param i32 i32 i32) (result i32)
    (local $i i32) (local $acc i32) (local $n i32)
    (local.set $i (i32.const 0))
    (local.set $acc (i32.const 0))
    (local.set $n (i32.and (local.get 0) (i32.const 1023)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "reset_in_loop") (param i32 i32 i32) (result i32)
    (local $x i32) (local $n i32) (local $sum i32)
    (loop $l
      (local.set $x (i32.const 5))
      (local.set $x (i32.add (local.get $x) (local.get $n)))
      (local.set $sum (i32.add (local.get $sum) (local.get $x)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $n) (i32.and (local.get 0) (i32.const 15)))))
    (local.get $sum))
  (func (export "initial_values") (param i32 i32 i32) (result i32)
    (local $x i32) (local $y i64) (local $z i32)
    (local.set $x (i32.const 7))
    (local.set $y (i64.const -3))
    (local.set $z (local.get $x))
    (i32.add (i32.add (local.get $x) (i32.wrap_i64 (local.get $y)))
             (i32.add (local.get $z) (local.get 0))))

  ;; Move2: a rotation of four locals
  (func (export "rotate") (param i32 i32 i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $t i32)
    (local.set $a (local.get 0))
    (local.set $b (local.get 1))
    (local.set $c (local.get 2))
    (local.set $t (local.get $a))
    (local.set $a (local.get $b))
    (local.set $b (local.get $c))
    (local.set $c (local.get $t))
    (i32.add (i32.mul (local.get $a) (i32.const 3))
             (i32.add (i32.mul (local.get $b) (i32.const 5)) (local.get $c))))

  ;; br_table on a computed index; call_indirect
  (func (export "switch") (param i32 i32 i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (i32.shr_u (i32.mul (local.get 0) (i32.const 7)) (i32.const 2))))
      (return (i32.add (local.get 1) (i32.const 1))))
      (return (i32.sub (local.get 1) (local.get 2))))
      (return (i32.mul (local.get 1) (local.get 2))))
    (local.get 2))
  (func (export "indirect") (param i32 i32 i32) (result i32)
    (call_indirect (type $bin) (local.get 1) (local.get 2) (local.get 0)))
)
"#;

/// The arguments every parameter takes in turn.
const ARGS: [i32; 10] = [0, 1, 2, 3, 7, 100, 65_533, 65_536, -1, i32::MAX];

#[test]
fn fused_instructions_agree_with_wasmi() {
    let engine = Engine::default();
    let module = Module::new(&engine, WAT).expect("the module is valid");
    let bytes = weft_binary::encode(
        &weft_text::parse_wat(WAT, weft_syntax::Features::WASM2).expect("the module parses"),
    );
    let w_engine = wasmi::Engine::default();
    let w_module = wasmi::Module::new(&w_engine, &bytes[..]).expect("wasmi accepts the module");

    let mut checked = 0;
    for export in module.exports() {
        let name = export.name().to_string();
        if !matches!(export.ty(), weft::ExternType::Func(_)) {
            continue;
        }
        for &a in &ARGS {
            for &b in &ARGS {
                for &c in &ARGS {
                    // A fresh instance per call: stores change memory.
                    let mut store = Store::new(&engine, ());
                    let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
                    let f = inst.get_func(&mut store, &name).expect("exported");
                    let mut out = [Val::I32(0)];
                    let ours = f
                        .call(
                            &mut store,
                            &[Val::I32(a), Val::I32(b), Val::I32(c)],
                            &mut out,
                        )
                        .map(|()| bits(&out[0]));

                    let mut w_store = wasmi::Store::new(&w_engine, ());
                    let w_inst = wasmi::Linker::<()>::new(&w_engine)
                        .instantiate_and_start(&mut w_store, &w_module)
                        .expect("wasmi instantiates");
                    let wf = w_inst.get_func(&w_store, &name).expect("exported");
                    let mut w_out = [wasmi::Val::I32(0)];
                    let theirs = wf
                        .call(
                            &mut w_store,
                            &[wasmi::Val::I32(a), wasmi::Val::I32(b), wasmi::Val::I32(c)],
                            &mut w_out,
                        )
                        .map(|()| match w_out[0] {
                            wasmi::Val::I32(v) => v as u32 as u64,
                            wasmi::Val::I64(v) => v as u64,
                            ref v => panic!("unexpected result {v:?}"),
                        });
                    assert_eq!(
                        ours.is_ok(),
                        theirs.is_ok(),
                        "{name}({a}, {b}, {c}): weft {ours:?}, wasmi {theirs:?}"
                    );
                    if let (Ok(x), Ok(y)) = (&ours, &theirs) {
                        assert_eq!(x, y, "{name}({a}, {b}, {c})");
                    }
                    checked += 1;
                }
            }
        }
    }
    // Every export was called with every combination.
    assert_eq!(checked, 20 * ARGS.len().pow(3));
}

/// A scalar result's bit pattern.
fn bits(v: &Val) -> u64 {
    match v {
        Val::I32(x) => *x as u32 as u64,
        Val::I64(x) => *x as u64,
        v => panic!("unexpected result {v:?}"),
    }
}
