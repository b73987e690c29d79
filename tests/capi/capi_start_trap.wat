;; Instantiation that traps: the start function divides by zero.
(module
  (func $start (drop (i32.div_s (i32.const 1) (i32.const 0))))
  (start $start)
)
