;; One shared memory, many instances on many threads, no WASI (the API
;; tests): add(n) adds 1 to word 0 n times atomically; grow() grows by a page.
(module
  (import "env" "memory" (memory 1 200 shared))
  (func (export "add") (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "touch_last") (result i32)
    ;; Writes and reads the last word of the memory as it is now.
    (local $at i32)
    (local.set $at (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)))
    (i32.atomic.store (local.get $at) (i32.const 42))
    (i32.atomic.load (local.get $at))))
