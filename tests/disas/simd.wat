;; SIMD: lane arithmetic, shuffles, lanes in and out, v128 memory access.
(module
  (memory 1)
  (func $add (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func $mul (export "mul") (param v128 v128) (result v128) (f32x4.mul (local.get 0) (local.get 1)))
  (func $shuffle (export "shuffle") (param v128 v128) (result v128)
    (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31 (local.get 0) (local.get 1)))
  (func $extract (export "extract") (param v128) (result i32) (i16x8.extract_lane_s 3 (local.get 0)))
  (func $splat (export "splat") (param f64) (result v128) (f64x2.splat (local.get 0)))
  (func $load (export "load") (param i32) (result v128) (v128.load offset=32 (local.get 0))))
