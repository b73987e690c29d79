;; The entry-table swap: $value's code is replaced by $replacement's, and every
;; way of reaching $value (a direct call, call_indirect through this module's
;; table or another instance's import of it, the export) must see the new code.
;; $chain0..3 alternate between original and swapped code for backtraces.
(module
  (type $t (func (result i32)))
  (table $shared (export "table") 2 funcref)
  (elem (i32.const 0) $value)
  (func $value (export "value") (type $t) (i32.const 1))
  (func $replacement (type $t) (i32.const 2))
  (func (export "call_direct") (result i32) (call $value))
  (func (export "call_indirect") (result i32) (call_indirect (type $t) (i32.const 0)))
  (func $chain0 (export "chain") (param i32) (result i32) (i32.add (call $chain1 (local.get 0)) (i32.const 1)))
  (func $chain1 (param i32) (result i32) (i32.add (call $chain2 (local.get 0)) (i32.const 1)))
  (func $chain2 (param i32) (result i32) (i32.add (call $chain3 (local.get 0)) (i32.const 1)))
  (func $chain3 (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0))))
