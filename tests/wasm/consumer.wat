(module
  (import "provider" "read" (func $read (param i32) (result i32)))
  (import "provider" "fail" (func $fail))
  (func $call_fail (export "call_fail") (call $fail))
  (memory 1)
  (global $base (mut i32) (i32.const 5))
  (func (export "read_both") (param i32) (result i32)
    (i32.store (local.get 0) (i32.const 1))  ;; writes the consumer's memory only
    (i32.add (call $read (local.get 0))
             (i32.add (global.get $base) (i32.load (local.get 0))))))
