;; Innermost loops get a second version in the optimizing tier, guard
;; strategy (in_bounds_loops.h): when every access of every iteration is in
;; bounds and no 32-bit index wraps, a copy with plain accesses and 64-bit
;; addresses runs; otherwise the original, whose accesses fault as written.
;; Each case sits at an edge of that check: the last byte of memory, one past
;; it, an index that goes below zero, constant offsets, a memory grown before
;; the loop, a loop that exits on data, vectors, and a trap midway whose
;; earlier stores must stay visible. Every tier and strategy must agree.
(module
  (memory 1)
  ;; for i in [0, n): mem[p + i] = v + i
  (func $fill (export "fill") (param $p i32) (param $n i32) (param $v i32)
    (local $i i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.add (local.get $v) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
  ;; the sum of mem[p + i] for i in [0, n)
  (func $sum (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $s))
  ;; the sum of mem[p - i + 16] for i in [0, n): an index going down, past zero
  (func (export "sum down") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $s (i32.add (local.get $s)
          (i32.load8_u offset=16 (i32.sub (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $s))
  ;; for i in [0, n): mem[d + i + 3] = mem[s + i + 1], forwards (overlap repeats)
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    (local $i i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (i32.store8 offset=3 (i32.add (local.get $d) (local.get $i))
          (i32.load8_u offset=1 (i32.add (local.get $s) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
  ;; the first i < n with mem[p + i] == 0, or n: a loop that exits on data
  (func (export "find zero") (param $p i32) (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))
  ;; the lane sum of n i32x4 vectors from p, 16 bytes apart
  (func (export "sum vectors") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s v128)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $s (i32x4.add (local.get $s)
          (v128.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 4))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $s)) (i32x4.extract_lane 1 (local.get $s)))
             (i32.add (i32x4.extract_lane 2 (local.get $s)) (i32x4.extract_lane 3 (local.get $s)))))
  ;; for i in [0, n): mem32[p + 4i] = i (a store every 4 bytes)
  (func (export "fill words") (param $p i32) (param $n i32)
    (local $i i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
;; for i in [0, n): mem[p + i] = 1, then mem[q + i] = 2
  (func (export "two stores") (param $p i32) (param $q i32) (param $n i32)
    (local $i i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.const 1))
        (i32.store8 (i32.add (local.get $q) (local.get $i)) (i32.const 2))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
;; the sum of mem[p + i + 2^31] and of mem[p + i + 2^32 - 1] for i in [0, n):
  ;; the largest offsets, which the check adds in 64 bits
  (func (export "sum far") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $s (i32.add (local.get $s) (i32.load8_u offset=0x80000000 (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $s))
  (func (export "sum furthest") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $s (i32.add (local.get $s) (i32.load8_u offset=0xffffffff (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $s))
  (func (export "grow") (result i32) (memory.grow (i32.const 1)))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "word") (param i32) (result i32) (i32.load (local.get 0))))

;; the whole memory, to its last byte: every byte (1 + i) & 0xff
(assert_return (invoke "fill" (i32.const 0) (i32.const 65536) (i32.const 1)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 65536)) (i32.const 8355840))
(assert_return (invoke "byte" (i32.const 65535)) (i32.const 0))
(assert_return (invoke "byte" (i32.const 65534)) (i32.const 255))
;; one byte past the end: the stores before it stay
(assert_return (invoke "fill" (i32.const 65526) (i32.const 10) (i32.const 7)))
(assert_trap (invoke "fill" (i32.const 65530) (i32.const 7) (i32.const 100)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 65530)) (i32.const 100))
(assert_return (invoke "byte" (i32.const 65535)) (i32.const 105))
(assert_trap (invoke "sum" (i32.const 65000) (i32.const 537)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 65530) (i32.const 6)) (i32.const 615))
;; an index that wraps: p = -1 is 0xffffffff, the first access is past the end
(assert_trap (invoke "fill" (i32.const -1) (i32.const 3) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 0)) (i32.const 1))
;; going down: p - i for p = 4 reaches 0 at i = 4 (bytes 20 .. 16 read); at
;; i = 5 the index wraps to 0xffffffff and the address, 0xffffffff + 16, is
;; past the end (wasm adds the offset in 33 bits, without wrapping)
(assert_return (invoke "fill" (i32.const 0) (i32.const 32) (i32.const 0)))
(assert_return (invoke "sum down" (i32.const 4) (i32.const 5)) (i32.const 90))
(assert_trap (invoke "sum down" (i32.const 4) (i32.const 6)) "out of bounds memory access")
;; constant offsets at the end: reads s+1 .. s+n, writes d+3 .. d+n+2
(assert_return (invoke "copy" (i32.const 65533) (i32.const 0) (i32.const 0)))
(assert_return (invoke "copy" (i32.const 65530) (i32.const 0) (i32.const 3)))
(assert_return (invoke "byte" (i32.const 65535)) (i32.const 3))
(assert_trap (invoke "copy" (i32.const 65530) (i32.const 0) (i32.const 4)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 65535)) (i32.const 3))
;; overlapping, forwards: mem[102 + i] = mem[101 + i], so byte 101 repeats along
(assert_return (invoke "fill" (i32.const 100) (i32.const 64) (i32.const 50)))
(assert_return (invoke "copy" (i32.const 99) (i32.const 100) (i32.const 40)))
(assert_return (invoke "byte" (i32.const 100)) (i32.const 50))
(assert_return (invoke "byte" (i32.const 101)) (i32.const 51))
(assert_return (invoke "byte" (i32.const 102)) (i32.const 51))
(assert_return (invoke "byte" (i32.const 141)) (i32.const 51))
(assert_return (invoke "byte" (i32.const 142)) (i32.const 92))
;; exits on data: a zero found, none before the count, none before the end
(assert_return (invoke "fill" (i32.const 200) (i32.const 10) (i32.const 1)))
(assert_return (invoke "fill" (i32.const 210) (i32.const 1) (i32.const 0)))
(assert_return (invoke "find zero" (i32.const 200) (i32.const 100)) (i32.const 10))
(assert_return (invoke "find zero" (i32.const 200) (i32.const 5)) (i32.const 5))
(assert_return (invoke "fill" (i32.const 65500) (i32.const 36) (i32.const 1)))
(assert_trap (invoke "find zero" (i32.const 65500) (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "find zero" (i32.const 65500) (i32.const 36)) (i32.const 36))
;; vectors: the last one ends at the last byte, one more straddles the end
(assert_return (invoke "fill words" (i32.const 65472) (i32.const 16)))
(assert_return (invoke "sum vectors" (i32.const 65472) (i32.const 4)) (i32.const 120))
(assert_trap (invoke "sum vectors" (i32.const 65480) (i32.const 4)) "out of bounds memory access")
(assert_trap (invoke "fill words" (i32.const 65532) (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "word" (i32.const 65532)) (i32.const 0))
;; one byte too many, in a loop long enough to be vectorized: every store
;; before the faulting one is visible, in the order the loop makes them
(assert_return (invoke "fill" (i32.const 65473) (i32.const 63) (i32.const 100)))
(assert_trap (invoke "two stores" (i32.const 1000) (i32.const 65473) (i32.const 64)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 1063)) (i32.const 1))
(assert_return (invoke "byte" (i32.const 1064)) (i32.const 41))
(assert_return (invoke "byte" (i32.const 65473)) (i32.const 2))
(assert_return (invoke "byte" (i32.const 65535)) (i32.const 2))
(assert_return (invoke "two stores" (i32.const 2000) (i32.const 65472) (i32.const 64)))
(assert_return (invoke "byte" (i32.const 2063)) (i32.const 1))
;; the largest offsets and counts: always past the end of one page, even
;; where p + i wraps to 0 (p = 2^32 - 1, or a count of 2^32 - 1)
(assert_trap (invoke "sum far" (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "sum far" (i32.const 0x80000000) (i32.const 100)) "out of bounds memory access")
(assert_trap (invoke "sum furthest" (i32.const 0) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "sum furthest" (i32.const -1) (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "sum furthest" (i32.const 0) (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "sum far" (i32.const 0) (i32.const 0)) (i32.const 0))
;; the memory grown before the loop: its new page is in bounds, then its end
(assert_return (invoke "grow") (i32.const 1))
(assert_return (invoke "fill" (i32.const 65530) (i32.const 65542) (i32.const 2)))
(assert_return (invoke "byte" (i32.const 131071)) (i32.const 7))
(assert_trap (invoke "fill" (i32.const 131070) (i32.const 3) (i32.const 9)) "out of bounds memory access")
(assert_return (invoke "byte" (i32.const 131071)) (i32.const 10))
