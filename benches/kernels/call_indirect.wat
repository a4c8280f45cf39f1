;; Indirect calls: a loop of call_indirect through a table of eight small
;; functions, the index taken from the running accumulator.
(module
  (type $op (func (param i32 i32) (result i32)))
  (table 8 funcref)
  (elem (i32.const 0) $add $sub $xor $mul $rotl $mix $shr $or)
  (func $add (type $op) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $op) (i32.sub (local.get 0) (local.get 1)))
  (func $xor (type $op) (i32.xor (local.get 0) (i32.mul (local.get 1) (i32.const 0x9e3779b9))))
  (func $mul (type $op) (i32.mul (local.get 0) (i32.or (local.get 1) (i32.const 1))))
  (func $rotl (type $op) (i32.rotl (local.get 0) (local.get 1)))
  (func $mix (type $op)
    (i32.add (i32.xor (local.get 0) (i32.shr_u (local.get 0) (i32.const 15))) (local.get 1)))
  (func $shr (type $op) (i32.add (i32.shr_u (local.get 0) (i32.const 1)) (local.get 1)))
  (func $or (type $op) (i32.sub (i32.or (local.get 0) (local.get 1)) (i32.const 7)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 1))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call_indirect (type $op)
            (local.get $acc) (local.get $i)
            (i32.and (i32.xor (local.get $i) (i32.shr_u (local.get $acc) (i32.const 5))) (i32.const 7))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (local.get $acc)))
