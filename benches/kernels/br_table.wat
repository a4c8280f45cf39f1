;; Branchy dispatch in its purest form: a loop whose body is a br_table over
;; eight cases (plus the default), chosen by the top bits of an LCG state.
(module
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $acc i32)
    (local.set $s (i32.const 12345))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 1664525)) (i32.const 1013904223)))
        (block $next
          (block $c8 (block $c7 (block $c6 (block $c5 (block $c4 (block $c3 (block $c2 (block $c1 (block $c0
            (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7 $c8
              (i32.shr_u (local.get $s) (i32.const 28))))
            ;; 0
            (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
            (br $next))
            ;; 1
            (local.set $acc (i32.xor (local.get $acc) (local.get $s)))
            (br $next))
            ;; 2
            (local.set $acc (i32.rotl (local.get $acc) (i32.const 3)))
            (br $next))
            ;; 3
            (local.set $acc (i32.sub (local.get $acc) (local.get $i)))
            (br $next))
            ;; 4
            (local.set $acc (i32.mul (local.get $acc) (i32.const 3)))
            (br $next))
            ;; 5
            (local.set $acc (i32.add (local.get $acc) (i32.shr_u (local.get $s) (i32.const 7))))
            (br $next))
            ;; 6
            (local.set $acc (i32.or (local.get $acc) (i32.const 0x100)))
            (br $next))
            ;; 7
            (local.set $acc (i32.and (local.get $acc) (i32.const 0x7fffffff)))
            (br $next))
          ;; default (8..15)
          (local.set $acc (i32.add (local.get $acc) (i32.clz (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (local.get $acc)))
