;; Guests that never stop, one per shape of loop the compilers might treat
;; differently, for the interruption tests: each must trap "interrupted" soon
;; after the host asks. `count` says how far a loop got.
(module
  (import "host" "sleep" (func $sleep))
  (memory (export "memory") 1)
  (global $count (export "count") (mut i32) (i32.const 0))
  (func $tick (global.set $count (i32.add (global.get $count) (i32.const 1))))

  (func (export "spin") (loop $l (br $l)))

  ;; Stores LLVM could vectorize, if the loop ended.
  (func (export "fill") (local $i i32)
    (loop $l
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))

;; Stores to addresses that never change (a counter in memory, a global,
  ;; and one beside a moving store): LLVM would keep them in registers for the
  ;; whole loop, and write them back only when it ends, which an interrupt is
  ;; not; what the loop stored must be in memory when it traps.
  (global $bumps (export "bumps") (mut i32) (i32.const 0))
  (func (export "bump_memory")
    (loop $l
      (i32.store offset=65532 (i32.const 0) (i32.add (i32.load offset=65532 (i32.const 0)) (i32.const 1)))
      (br $l)))
  (func (export "bump_global")
    (loop $l
      (global.set $bumps (i32.add (global.get $bumps) (i32.const 1)))
      (br $l)))
  (func (export "bump_beside_fill") (local $i i32)
    (loop $l
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0x7ffc)) (local.get $i))
      (i32.store offset=65528 (i32.const 0) (i32.add (i32.load offset=65528 (i32.const 0)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))

  ;; A finite inner loop inside an endless outer one.
  (func (export "nested") (local $i i32) (local $j i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $i (i32.add (local.get $i) (local.get $j)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 100))))
      (i32.store (i32.const 0) (local.get $i))
      (br $outer)))

  ;; The back edge is a br_table's.
  (func (export "table") (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (block $b
        (br_table $l $b $l (i32.and (local.get $i) (i32.const 1))))
      (br $l)))

  ;; Values carried around the loop as its parameters.
  (func (export "carried") (result i32 i64)
    (i32.const 1) (i64.const 2)
    (loop $l (param i32 i64) (result i32 i64)
      (i64.add (i64.const 3))
      (br $l)))

  ;; Finite, but 2^31 iterations: too much work to go unchecked.
  (func (export "long") (local $i i32)
    (loop $l
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)) (local.get $i))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 0x80000000)))))

  ;; A loop counted at run time (the count comes from a global): optimized code
  ;; versions it, an unchecked copy for small counts and the checked original
  ;; for large ones (interrupt_checks.sh); 2^31 - 1 iterations are large.
  (global $iterations (export "iterations") (mut i32) (i32.const 0x7fffffff))
  ;; Its second exit, on a value in memory, keeps LLVM from unrolling it, so
  ;; the two versions are the only two loops.
  (func (export "counted") (local $i i32) (local $n i32)
    (local.set $n (global.get $iterations))
    (block $out
      (loop $l
        (br_if $out (i32.eq (i32.load (i32.const 0)) (i32.const -1)))
        (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)) (local.get $i))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))))

  ;; 1000 iterations of a store: bounded work, which optimized code does not
  ;; check at the loop but at the entry (interrupt_checks.sh).
  (func (export "short") (local $i i32)
    (loop $l
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)) (local.get $i))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000)))))

  ;; Calls in the loop, so it has no leaf shortcut.
  (func (export "calls") (loop $l (call $tick) (br $l)))

  ;; No loop and no call: it ends in a time bounded by its length, so it has
  ;; no check (interrupt_checks.sh).
  (func (export "leaf") (result i32) (i32.const 7))

  ;; No loop and no call, but long (over 256 bytes of body): a caller could
  ;; call it many times between two checks, so it checks at its entry.
  (func (export "long_leaf") (param $v i32)
    (i32.store offset=0 (i32.const 0) (local.get $v))
    (i32.store offset=4 (i32.const 0) (local.get $v))
    (i32.store offset=8 (i32.const 0) (local.get $v))
    (i32.store offset=12 (i32.const 0) (local.get $v))
    (i32.store offset=16 (i32.const 0) (local.get $v))
    (i32.store offset=20 (i32.const 0) (local.get $v))
    (i32.store offset=24 (i32.const 0) (local.get $v))
    (i32.store offset=28 (i32.const 0) (local.get $v))
    (i32.store offset=32 (i32.const 0) (local.get $v))
    (i32.store offset=36 (i32.const 0) (local.get $v))
    (i32.store offset=40 (i32.const 0) (local.get $v))
    (i32.store offset=44 (i32.const 0) (local.get $v))
    (i32.store offset=48 (i32.const 0) (local.get $v))
    (i32.store offset=52 (i32.const 0) (local.get $v))
    (i32.store offset=56 (i32.const 0) (local.get $v))
    (i32.store offset=60 (i32.const 0) (local.get $v))
    (i32.store offset=64 (i32.const 0) (local.get $v))
    (i32.store offset=68 (i32.const 0) (local.get $v))
    (i32.store offset=72 (i32.const 0) (local.get $v))
    (i32.store offset=76 (i32.const 0) (local.get $v))
    (i32.store offset=80 (i32.const 0) (local.get $v))
    (i32.store offset=84 (i32.const 0) (local.get $v))
    (i32.store offset=88 (i32.const 0) (local.get $v))
    (i32.store offset=92 (i32.const 0) (local.get $v))
    (i32.store offset=96 (i32.const 0) (local.get $v))
    (i32.store offset=100 (i32.const 0) (local.get $v))
    (i32.store offset=104 (i32.const 0) (local.get $v))
    (i32.store offset=108 (i32.const 0) (local.get $v))
    (i32.store offset=112 (i32.const 0) (local.get $v))
    (i32.store offset=116 (i32.const 0) (local.get $v))
    (i32.store offset=120 (i32.const 0) (local.get $v))
    (i32.store offset=124 (i32.const 0) (local.get $v))
    (i32.store offset=128 (i32.const 0) (local.get $v))
    (i32.store offset=132 (i32.const 0) (local.get $v))
    (i32.store offset=136 (i32.const 0) (local.get $v))
    (i32.store offset=140 (i32.const 0) (local.get $v))
    (i32.store offset=144 (i32.const 0) (local.get $v))
    (i32.store offset=148 (i32.const 0) (local.get $v))
    (i32.store offset=152 (i32.const 0) (local.get $v))
    (i32.store offset=156 (i32.const 0) (local.get $v)))

  ;; The bound exactly (kUncheckedEntryMaxBodyBytes): a body of 256 bytes
  ;; (1 byte of locals, 254 nops, the end) has no check; one of 257 has.
  (func (export "leaf_256")
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop)
  (func (export "leaf_257")
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop
    nop nop nop nop nop nop nop nop nop nop nop nop nop nop nop)

  ;; No loop, one call: the entry's check stops it before the call.
  (func (export "once") (result i32) (call $tick) (i32.const 7))

  ;; Recursion with no loop that would take 2^62 calls: only the checks at
  ;; the entries stop it (the optimizing tier may turn the second call into a
  ;; loop, which then has its own).
  (func $twice (param $n i32)
    (if (local.get $n)
      (then
        (call $twice (i32.sub (local.get $n) (i32.const 1)))
        (call $twice (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "recurse") (call $twice (i32.const 62)))

  ;; A host call that takes a while, then more wasm.
  (func (export "sleep_then_count") (call $sleep) (call $tick) (call $sleep) (call $tick))

  ;; What runs after an interrupt is cleared.
  (func (export "finite") (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    (local.get $i)))
