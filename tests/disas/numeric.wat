;; Integer and float operators: what each costs in code.
(module
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $div_s (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $rem_u (export "rem_u") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func $rotl (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
  (func $popcnt (export "popcnt") (param i64) (result i64) (i64.popcnt (local.get 0)))
  (func $sqrt (export "sqrt") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func $min (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (func $trunc (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func $trunc_sat (export "trunc_sat") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0))))
