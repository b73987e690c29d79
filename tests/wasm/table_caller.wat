;; Calls element 0 of an imported table: another instance's function.
(module
  (type $t (func (result i32)))
  (import "provider" "table" (table 2 funcref))
  (func (export "call_shared") (result i32) (call_indirect (type $t) (i32.const 0))))
