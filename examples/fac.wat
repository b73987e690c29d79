;; Factorial, recursive and iterative: the example `weft` is first run on.
(module $factorial
  (func $fac_recursive (export "fac_recursive") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac_recursive (i64.sub (local.get $n) (i64.const 1)))))))
  (func $fac_iterative (export "fac_iterative") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $acc))
  (memory (export "memory") 1)
)
