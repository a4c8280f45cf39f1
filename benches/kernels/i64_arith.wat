;; i64 arithmetic in a tight loop: a splitmix64 generator, its output mixed
;; into an accumulator with rotations and one unsigned division per step.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $x i64) (local $y i64) (local $acc i64)
    (local.set $x (i64.const 0x0123456789abcdef))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i64.add (local.get $x) (i64.const 0x9e3779b97f4a7c15)))
        (local.set $y
          (i64.mul (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 30)))
                   (i64.const 0xbf58476d1ce4e5b9)))
        (local.set $y
          (i64.mul (i64.xor (local.get $y) (i64.shr_u (local.get $y) (i64.const 27)))
                   (i64.const 0x94d049bb133111eb)))
        (local.set $y (i64.xor (local.get $y) (i64.shr_u (local.get $y) (i64.const 31))))
        (local.set $acc
          (i64.add
            (i64.rotl (local.get $acc) (i64.const 5))
            (i64.xor (local.get $y)
                     (i64.div_u (local.get $y)
                                (i64.extend_i32_u (i32.or (local.get $i) (i32.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (i32.wrap_i64 (i64.xor (local.get $acc) (i64.shr_u (local.get $acc) (i64.const 32))))))
