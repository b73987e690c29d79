;; Control: a loop (its interrupt check), if/else, select, br_table, direct
;; and indirect calls (through the entry table and a FuncRef).
(module
  (type $unary (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $twice $sum)
  (func $twice (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
  (func $sum (export "sum") (param $n i32) (result i32) (local $total i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $total (i32.add (local.get $total) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $total))
  (func $choose (export "choose") (param i32 i32 i32) (result i32)
    (if (result i32) (local.get 0)
      (then (local.get 1))
      (else (select (local.get 1) (local.get 2) (i32.gt_s (local.get 1) (local.get 2))))))
  (func $switch (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))
  (func $direct (export "direct") (param i32) (result i32) (call $twice (local.get 0)))
  (func $indirect (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $unary) (local.get 1) (local.get 0))))
