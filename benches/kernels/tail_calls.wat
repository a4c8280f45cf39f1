;; Tail calls: run(n) is a loop of n iterations written as a mutual tail
;; recursion of two functions (return_call), each iteration one call;
;; returns the accumulated mix.
(module
  (func $even (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call $odd
          (i32.sub (local.get $n) (i32.const 1))
          (i32.add (local.get $acc) (i32.xor (local.get $n) (i32.const 0x55)))))))
  (func $odd (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call $even
          (i32.sub (local.get $n) (i32.const 1))
          (i32.rotl (local.get $acc) (i32.const 3))))))
  (func (export "run") (param $n i32) (result i32)
    (call $even (local.get $n) (i32.const 1))))
