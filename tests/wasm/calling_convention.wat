;; Wasm calling a host function whose parameters overflow every register
;; class (6 integers, 10 floats, 3 vectors), with four results (a results
;; buffer), and the same signature defined in wasm for the host to call.
(module
  (type $wide (func (param i32 i64 f32 f64 v128 i32 i64 f32 f64 v128 i32 i64 f64 f64 f64 f64 f64 f64 v128 i32)
                    (result i64 f64 v128 i32)))
  (import "host" "wide" (func $host_wide (type $wide)))
  ;; Returns each parameter class folded with position weights 1, 2, 3, ...
  (func $wasm_wide (export "wide") (type $wide)
    (i64.add (i64.add (i64.add (i64.extend_i32_u (local.get 0)) (i64.mul (local.get 1) (i64.const 2)))
                      (i64.add (i64.mul (i64.extend_i32_u (local.get 5)) (i64.const 3)) (i64.mul (local.get 6) (i64.const 4))))
             (i64.add (i64.add (i64.mul (i64.extend_i32_u (local.get 10)) (i64.const 5)) (i64.mul (local.get 11) (i64.const 6)))
                      (i64.mul (i64.extend_i32_u (local.get 19)) (i64.const 7))))
    (f64.add (f64.add (f64.add (f64.promote_f32 (local.get 2)) (f64.mul (local.get 3) (f64.const 2)))
                      (f64.add (f64.mul (f64.promote_f32 (local.get 7)) (f64.const 3)) (f64.mul (local.get 8) (f64.const 4))))
             (f64.add (f64.add (f64.add (f64.mul (local.get 12) (f64.const 5)) (f64.mul (local.get 13) (f64.const 6)))
                               (f64.add (f64.mul (local.get 14) (f64.const 7)) (f64.mul (local.get 15) (f64.const 8))))
                      (f64.add (f64.mul (local.get 16) (f64.const 9)) (f64.mul (local.get 17) (f64.const 10)))))
    (i64x2.add (i64x2.add (local.get 4) (i64x2.mul (local.get 9) (i64x2.splat (i64.const 2))))
               (i64x2.mul (local.get 18) (i64x2.splat (i64.const 3))))
    (i32.const 20))
  (func (export "call_host") (param i32) (result i64 f64 v128 i32)
    (call $host_wide (local.get 0) (i64.const 2) (f32.const 3) (f64.const 4) (v128.const i64x2 5 50)
                     (i32.const 6) (i64.const 7) (f32.const 8) (f64.const 9) (v128.const i64x2 10 100)
                     (i32.const 11) (i64.const 12) (f64.const 13) (f64.const 14) (f64.const 15) (f64.const 16)
                     (f64.const 17) (f64.const 18) (v128.const i64x2 19 190) (i32.const 20))))
