;; Accesses through a local whose bounds checks a compiler that leaves out
;; redundant checks (the same local, not written since, no label between, an
;; end no further than an earlier check's) must still make: after the local
;; is written (local.set, local.tee, an update in place), at a loop's head,
;; after an else, at an if's or a block's end that another edge reaches, and
;; with an end further than the earlier check's. Every such access is out of
;; bounds for the arguments given and must trap, in every strategy and tier.
;; (The baseline had such an elimination for a day: it made base64 and ifs
;; slower in the bounds-checked strategy, and went. With it, removing any of
;; its forgetting points failed this file.) A memory of one page: 65536 bytes.
(module
  (memory 1)

  ;; the first load covers [p, p+4), the second [p+4, p+8)
  (func (export "further_end") (param $p i32) (result i32)
    (drop (i32.load (local.get $p)))
    (i32.load offset=4 (local.get $p)))
  ;; the store covers [p, p+8): the loads within it need no check of their own
  (func (export "covered") (param $p i32) (result i32)
    (i64.store (local.get $p) (i64.const 0x0807060504030201))
    (i32.add
      (i32.load8_u offset=7 (local.get $p))
      (i32.load16_u offset=2 (local.get $p))))
  (func (export "after_set") (param $p i32) (param $q i32) (result i32)
    (drop (i32.load (local.get $p)))
    (local.set $p (local.get $q))
    (i32.load (local.get $p)))
  (func (export "after_tee") (param $p i32) (param $q i32) (result i32)
    (drop (i32.load (local.get $p)))
    (drop (local.tee $p (local.get $q)))
    (i32.load (local.get $p)))
  ;; p += 65536 compiles to an add in p's own register
  (func (export "after_update") (param $p i32) (result i32)
    (drop (i32.load (local.get $p)))
    (local.set $p (i32.add (local.get $p) (i32.const 65536)))
    (i32.load (local.get $p)))
  ;; a check before the loop says nothing of the later iterations
  (func (export "loop_head") (param $p i32) (param $n i32)
    (drop (i32.load (local.get $p)))
    (loop $l
      (drop (i32.load (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 32768)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; the then arm's check says nothing of the else arm, nor of the end
  (func (export "else_arm") (param $p i32) (param $c i32) (result i32)
    (if (result i32) (local.get $c)
      (then (i32.load offset=100 (local.get $p)))
      (else (i32.load offset=100 (local.get $p)))))
  (func (export "if_end") (param $p i32) (param $c i32) (result i32)
    (if (local.get $c) (then (drop (i32.load offset=100 (local.get $p)))))
    (i32.load offset=100 (local.get $p)))
  (func (export "block_end") (param $p i32) (param $c i32) (result i32)
    (block $b
      (br_if $b (local.get $c))
      (drop (i32.load offset=100 (local.get $p))))
    (i32.load offset=100 (local.get $p)))
  ;; another local holding the value the check covered keeps it covered
  (func (export "copy_kept") (param $p i32) (param $r i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (i32.store (local.get $q) (i32.const 7))
    (local.set $p (local.get $r))
    (i32.add (i32.load (local.get $q)) (i32.load (local.get $p))))
  ;; a check through a call: the callee does not write the caller's local
  (func $grow (result i32) (memory.grow (i32.const 0)))
  (func (export "across_call") (param $p i32) (result i32)
    (drop (i32.load offset=8 (local.get $p)))
    (drop (call $grow))
    (i32.load (local.get $p)))
)

(assert_return (invoke "further_end" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "further_end" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "covered" (i32.const 65528)) (i32.const 1035))  ;; 8 + 0x0403
(assert_trap (invoke "covered" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "after_set" (i32.const 0) (i32.const 65532)) (i32.const 0x08070605))  ;; covered's bytes
(assert_trap (invoke "after_set" (i32.const 0) (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "after_tee" (i32.const 0) (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "after_update" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "loop_head" (i32.const 0) (i32.const 2)))
(assert_trap (invoke "loop_head" (i32.const 0) (i32.const 3)) "out of bounds memory access")
(assert_trap (invoke "else_arm" (i32.const 65500) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "else_arm" (i32.const 65500) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "if_end" (i32.const 65500) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "block_end" (i32.const 65500) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "copy_kept" (i32.const 65532) (i32.const 100)) (i32.const 7))
(assert_trap (invoke "copy_kept" (i32.const 0) (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "across_call" (i32.const 65524)) (i32.const 0))
(assert_trap (invoke "across_call" (i32.const 65525)) "out of bounds memory access")
