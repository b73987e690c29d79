;; Programs whose fuel is counted by hand (one unit per operator but `end`
;; and `else`), for the fuel tests.
(module
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (global $started (export "started") (mut i32) (i32.const 0))
  ;; The start function: global.set, i32.const: 2 units.
  (func $start (global.set $started (i32.const 1)))
  (start $start)

  ;; loop: 1; each iteration: local.get, i32.const, i32.add, local.set,
  ;; local.get, local.get, i32.lt_u, br_if: 8; after it: local.get: 1.
  ;; count(n) costs 8n + 2.
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))

  ;; fac(0): local.get, i64.eqz, if, i64.const: 4. fac(n > 0): local.get,
  ;; i64.eqz, if, local.get, local.get, i64.const, i64.sub, call, i64.mul: 9
  ;; plus fac(n - 1). fac(n) costs 9n + 4.
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))

  ;; local.get, call (the host's work is free), i32.const, i32.add: 4.
  (func (export "via_host") (param i32) (result i32)
    (i32.add (call $twice (local.get 0)) (i32.const 1)))

  (func (export "spin") (loop $l (br $l))))
