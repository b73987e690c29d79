;; References through wasm: externrefs kept in a table and handed back,
;; funcrefs of this module's functions and of host functions.
(module
  (table $things (export "things") 4 externref)
  (table $funcs (export "funcs") 2 funcref)
  (global $last (export "last") (mut externref) (ref.null extern))
  (func $seven (result i32) (i32.const 7))
  (elem declare func $seven)
  (func (export "keep") (param externref) (param i32)
    (table.set $things (local.get 1) (local.get 0))
    (global.set $last (local.get 0)))
  (func (export "fetch") (param i32) (result externref)
    (table.get $things (local.get 0)))
  (func (export "identity") (param externref) (result externref) (local.get 0))
  (func (export "seven_ref") (result funcref) (ref.func $seven))
  (func (export "call_func") (param i32) (result i32)
    (call_indirect $funcs (result i32) (local.get 0)))
)
