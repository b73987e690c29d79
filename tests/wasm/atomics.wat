;; wait/notify between instances that share one memory, each on its own thread.
(module
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wait32") (param $address i32) (param $expected i32) (param $timeout i64) (result i32)
    (memory.atomic.wait32 (local.get $address) (local.get $expected) (local.get $timeout)))
  (func (export "notify") (param $address i32) (param $count i32) (result i32)
    (memory.atomic.notify (local.get $address) (local.get $count)))
  (func (export "add") (param $address i32) (param $delta i32) (result i32)
    (i32.atomic.rmw.add (local.get $address) (local.get $delta)))
  (func (export "load") (param $address i32) (result i32)
    (i32.atomic.load (local.get $address))))
