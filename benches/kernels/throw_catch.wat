;; Exceptions: run(n) is a loop of n iterations, each a call 10 frames
;; deep whose innermost function throws an exception with an i32 payload,
;; caught by `try_table` in the loop; returns the accumulated mix of the
;; payloads.
(module
  (tag $e (param i32))
  (func $down (param $depth i32) (param $v i32)
    (if (i32.eqz (local.get $depth))
      (then (throw $e (i32.mul (local.get $v) (i32.const 0x9e3779b1)))))
    (call $down (i32.sub (local.get $depth) (i32.const 1)) (local.get $v)))
  (func (export "run") (param $n i32) (result i32)
    (local $acc i32)
    (local.set $acc (i32.const 1))
    (loop $l
      (local.set $acc
        (i32.add
          (i32.rotl (local.get $acc) (i32.const 5))
          (block $caught (result i32)
            ;; Frame 1 is `run`'s callee, frame 10 the thrower.
            (try_table (catch $e $caught)
              (call $down (i32.const 9) (local.get $n)))
            (i32.const 0))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc)))
