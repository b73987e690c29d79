;; The embedding examples' module: a greeting through a host callback, a
;; computation that calls back into the host in a loop, and a trap.
(module
  (import "host" "greet" (func $greet (param i32 i32)))
  (import "host" "square" (func $square (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "Hello from WebAssembly!")

  ;; Hands the host the greeting's address and length in memory.
  (func (export "hello")
    (call $greet (i32.const 8) (i32.const 23)))

  ;; 1^2 + 2^2 + ... + n^2, each square computed by the host.
  (func (export "sum_of_squares") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $square (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  ;; Divides by its argument: 0 traps.
  (func $divide (param $by i32) (result i32)
    (i32.div_s (i32.const 1000) (local.get $by)))
  (func (export "thousand_over") (param i32) (result i32)
    (call $divide (local.get 0)))
)
