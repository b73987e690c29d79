;; The baseline keeps memory 0's base in a register across a merge when
;; every edge to it brings it there, and across a loop's head (each back edge
;; reloads it when something took it). memory.grow is a call: in the
;; bounds-checked strategy it may move the memory, so a base kept past it
;; would read and write the old mapping. These functions grow by 300 pages
;; (far past any reservation a one-page memory gets up front, so the memory
;; moves) at every place a stale base could survive: in an if inside a loop
;; (the if's end and the back edge), on the path of a br_if back edge, in a
;; br_table's arm, in one arm of an if/else before an access after it, in a
;; nested loop that touches no memory, and through an imported function
;; growing an imported memory. Each then writes and reads past the old end
;; and sums what it read; the sums are worked out in the comments.
(module
  (memory 1)
  ;; words 0..15 hold 1..16
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00"
                      "\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00\10\00\00\00")
  (global $high i32 (i32.const 16384000))  ;; page 250: inside only after the growth

  ;; 1..16 read (136), and from i = 5 on i stored high and read back (5+...+15 = 110): 246
  (func (export "grow_in_if_in_loop") (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.eq (local.get $i) (i32.const 5))
        (then (if (i32.eq (memory.grow (i32.const 300)) (i32.const -1)) (then unreachable))))
      (if (i32.ge_u (local.get $i) (i32.const 5))
        (then
          (i32.store (i32.add (global.get $high) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
          (local.set $sum (i32.add (local.get $sum)
            (i32.load (i32.add (global.get $high) (i32.shl (local.get $i) (i32.const 2))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 16))))
    (local.get $sum))
)
(assert_return (invoke "grow_in_if_in_loop") (i32.const 246))

(module
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00")
  (global $high i32 (i32.const 16384000))
  (func (export "grow_before_back_edge") (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (if (local.get $i)
        (then
          (i32.store (i32.add (global.get $high) (local.get $i)) (local.get $i))
          (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (global.get $high) (local.get $i)))))))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.and (i32.lt_u (local.get $i) (i32.const 8))
                         (i32.ne (memory.grow (select (i32.const 300) (i32.const 0) (i32.eq (local.get $i) (i32.const 1))))
                                 (i32.const -1)))))
    (local.get $sum))
)
(assert_return (invoke "grow_before_back_edge") (i32.const 64))

(module
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00")
  (global $high i32 (i32.const 16384000))
  (func (export "grow_in_br_table_arm") (result i32)
    (local $i i32) (local $sum i32)
    (block $out
      (loop $l
        (local.set $sum (i32.add (local.get $sum) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_u (local.get $i) (i32.const 3))
          (then
            (i32.store (i32.add (global.get $high) (i32.const 8)) (local.get $i))
            (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (global.get $high) (i32.const 8)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $grow
          (br_table $grow $l $out
            (select (i32.const 0) (select (i32.const 1) (i32.const 2) (i32.lt_u (local.get $i) (i32.const 6)))
                    (i32.eq (local.get $i) (i32.const 3)))))
        (drop (memory.grow (i32.const 300)))
        (br $l)))
    (local.get $sum))
)
(assert_return (invoke "grow_in_br_table_arm") (i32.const 33))

(module
  (memory 1)
  (data (i32.const 24) "\07\00\00\00")
  (global $high i32 (i32.const 16384000))
  (func (export "grow_in_one_arm") (param $grow i32) (result i32)
    (local $v i32)
    (if (local.get $grow)
      (then (drop (memory.grow (i32.const 300))))
      (else (local.set $v (i32.load (i32.const 24)))))
    (if (i32.ge_u (memory.size) (i32.const 300))
      (then
        (i32.store (i32.add (global.get $high) (i32.const 4)) (i32.const 5))
        (local.set $v (i32.add (local.get $v) (i32.load (i32.add (global.get $high) (i32.const 4)))))))
    (local.get $v))
)
(assert_return (invoke "grow_in_one_arm" (i32.const 0)) (i32.const 7))
(assert_return (invoke "grow_in_one_arm" (i32.const 1)) (i32.const 5))
(assert_return (invoke "grow_in_one_arm" (i32.const 0)) (i32.const 12))

(module
  (memory 1)
  (global $high i32 (i32.const 16384000))
  (func $grow_once (param i32)
    (if (i32.eqz (local.get 0)) (then (drop (memory.grow (i32.const 300))))))
  (func (export "grow_in_inner_loop") (result i32)
    (local $j i32) (local $k i32) (local $sum i32)
    (loop $outer
      (local.set $k (i32.const 0))
      (loop $inner
        (if (i32.eqz (local.get $k)) (then (call $grow_once (local.get $j))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $k) (i32.const 3))))
      (i32.store (i32.add (global.get $high) (local.get $j)) (i32.add (local.get $j) (i32.const 1)))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (global.get $high) (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $j) (i32.const 4))))
    (local.get $sum))
)
(assert_return (invoke "grow_in_inner_loop") (i32.const 10))

;; an imported memory, grown by the exporting module's function that the
;; loop calls: the base (read through the import's definition) moves too.
;; i = 0..5: the low word i+1 read (21); the call at i = 2 grows; from i = 3
;; on, i stored high and read back (3+4+5 = 12): 33
(module $owner
  (memory (export "memory") 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00")
  (func (export "grow") (drop (memory.grow (i32.const 300)))))
(register "owner" $owner)
(module
  (import "owner" "memory" (memory 1))
  (import "owner" "grow" (func $grow))
  (global $high i32 (i32.const 16384000))
  (func (export "grow_through_import") (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.ge_u (local.get $i) (i32.const 3))
        (then
          (i32.store (i32.add (global.get $high) (i32.const 12)) (local.get $i))
          (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (global.get $high) (i32.const 12)))))))
      (if (i32.eq (local.get $i) (i32.const 2)) (then (call $grow)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 6))))
    (local.get $sum))
)
(assert_return (invoke "grow_through_import") (i32.const 33))
