;; A start-less module that runs until stopped: for interruption and fuel.
(module
  (func (export "spin") (param i32) (result i32)
    (local i32)
    (loop $again
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $again (i32.ne (local.get 1) (local.get 0))))
    (local.get 1))
  (func (export "start_trap") unreachable)
)
