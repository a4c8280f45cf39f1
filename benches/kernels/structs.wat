;; GC: struct-heavy work. 1,000 particles, each a struct with mutable
;; position and velocity fields, in a GC array; run(n) moves every particle
;; n times (bouncing off the walls of a 1,000 x 1,000 box) and each step
;; replaces one particle by a fresh struct (allocation churn); returns a
;; checksum of the final positions.
(module
  (type $p (struct (field $x (mut i32)) (field $y (mut i32)) (field $vx (mut i32)) (field $vy (mut i32))))
  (type $ps (array (mut (ref null $p))))
  (func $bounce (param $v i32) (param $x i32) (result i32)
    (if (result i32) (i32.ge_u (local.get $x) (i32.const 1000))
      (then (i32.sub (i32.const 0) (local.get $v)))
      (else (local.get $v))))
  (func $clamp (param $x i32) (result i32)
    (select (i32.const 0)
      (select (i32.const 999) (local.get $x) (i32.gt_s (local.get $x) (i32.const 999)))
      (i32.lt_s (local.get $x) (i32.const 0))))
  (func (export "run") (param $n i32) (result i32)
    (local $ps (ref null $ps)) (local $p (ref null $p)) (local $i i32) (local $step i32)
    (local $x i32) (local $y i32) (local $sum i32)
    (local.set $ps (array.new_default $ps (i32.const 1000)))
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (i32.const 1000)))
        (array.set $ps (local.get $ps) (local.get $i)
          (struct.new $p
            (i32.rem_u (i32.mul (local.get $i) (i32.const 7)) (i32.const 1000))
            (i32.rem_u (i32.mul (local.get $i) (i32.const 13)) (i32.const 1000))
            (i32.sub (i32.rem_u (local.get $i) (i32.const 7)) (i32.const 3))
            (i32.sub (i32.rem_u (local.get $i) (i32.const 5)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (block $done
      (loop $steps
        (br_if $done (i32.ge_u (local.get $step) (local.get $n)))
        (local.set $i (i32.const 0))
        (block $moved
          (loop $move
            (br_if $moved (i32.ge_u (local.get $i) (i32.const 1000)))
            (local.set $p (array.get $ps (local.get $ps) (local.get $i)))
            (local.set $x (i32.add (struct.get $p $x (local.get $p)) (struct.get $p $vx (local.get $p))))
            (local.set $y (i32.add (struct.get $p $y (local.get $p)) (struct.get $p $vy (local.get $p))))
            (struct.set $p $vx (local.get $p) (call $bounce (struct.get $p $vx (local.get $p)) (local.get $x)))
            (struct.set $p $vy (local.get $p) (call $bounce (struct.get $p $vy (local.get $p)) (local.get $y)))
            (struct.set $p $x (local.get $p) (call $clamp (local.get $x)))
            (struct.set $p $y (local.get $p) (call $clamp (local.get $y)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $move)))
        ;; Churn: particle step % 1000 becomes a new struct, turned.
        (local.set $i (i32.rem_u (local.get $step) (i32.const 1000)))
        (local.set $p (array.get $ps (local.get $ps) (local.get $i)))
        (array.set $ps (local.get $ps) (local.get $i)
          (struct.new $p
            (struct.get $p $y (local.get $p))
            (struct.get $p $x (local.get $p))
            (struct.get $p $vy (local.get $p))
            (i32.sub (i32.const 0) (struct.get $p $vx (local.get $p)))))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (br $steps)))
    (local.set $i (i32.const 0))
    (block $summed
      (loop $sum
        (br_if $summed (i32.ge_u (local.get $i) (i32.const 1000)))
        (local.set $p (array.get $ps (local.get $ps) (local.get $i)))
        (local.set $sum
          (i32.add (i32.mul (local.get $sum) (i32.const 31))
            (i32.add (i32.mul (struct.get $p $x (local.get $p)) (i32.const 1000))
              (struct.get $p $y (local.get $p)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sum)))
    (local.get $sum)))
