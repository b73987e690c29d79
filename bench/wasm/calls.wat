;; Call-overhead probe: a trivial export (host -> wasm), a loop that calls a
;; host function (wasm -> host), and the same loop without the call.
(module
  (import "env" "host" (func $host))
  (func (export "nothing"))
  (func (export "call_host") (param $n i32)
    (loop $again
      (call $host)
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "loop") (param $n i32)
    (loop $again
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
