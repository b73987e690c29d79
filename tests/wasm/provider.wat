;; Exports state-reading functions; a consumer instance imports them, so calls
;; cross instances and must run with the provider's instance data.
(module
  (memory (export "memory") 1)
  (global $base (export "base") (mut i32) (i32.const 100))
  (func (export "read") (param i32) (result i32)
    (i32.add (global.get $base) (i32.load (local.get 0))))
  (func (export "set_base") (param i32) (global.set $base (local.get 0)))
  (func $fail (export "fail") (unreachable)))
