;; A memory and a table that the guest grows: the engine's resource budget and
;; the host's memory decide how far.
(module
  (memory (export "memory") 1)
  (table $elements 0 funcref)
  (func (export "grow_memory") (param $pages i32) (result i32)
    (memory.grow (local.get $pages)))
  (func (export "grow_table") (param $elements i32) (result i32)
    (table.grow $elements (ref.null func) (local.get $elements)))
  (func (export "table_size") (result i32) (table.size $elements)))
