;; Globals (defined and imported) and table elements.
(module
  (import "env" "g" (global $imported (mut i32)))
  (global $counter (mut i64) (i64.const 0))
  (table $t 4 10 funcref)
  (func $bump (export "bump") (result i64)
    (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
    (global.get $counter))
  (func $read_imported (export "read_imported") (result i32) (global.get $imported))
  (func $get (export "get") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func $set (export "set") (param i32) (table.set $t (local.get 0) (ref.func $bump)))
  (func $is_null (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0)))))
