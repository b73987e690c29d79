;; Fuzzing finding: the optimizing tier (guard strategy) sank a load past a
;; call_indirect's checks; the moved code had no bytecode offset, and its fault
;; was taken for one in Weft's own code ("unknown site").
(module
  (type $t (func (param i64 i32 i64 i32 i64)))
  (memory 16 17 shared)
  (table 8 funcref)
  (elem (i32.const 0) $2 $2 $2 $1)
  (func $1 (param i64 i32 i64 i32 i64))
  (func $2 (param f64 f32 i32 i32) (result f64)
    (call_indirect (type $t) (i64.const -97) (i32.const 0) (i64.const -8666199386751)
      (i32.load8_u offset=1 (i32.const -6225902)) (i64.const 0) (i32.const 3))
    (f64.const 1))
  (export "func_17" (func $2)))
